import { forwardRef, type ButtonHTMLAttributes } from "react";

const VARIANTS = {
  /** The action of a form: white on sky-700 (≥ 4.5:1). */
  primary: "bg-sky-700 font-medium text-white hover:bg-sky-800",
  /** A quiet action beside the primary one (Cancel). */
  secondary: "hover:bg-slate-100 dark:hover:bg-slate-800",
  /** Bordered: toolbar buttons (pause), − / +. */
  outline: "border border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800",
  /** Bordered in an info box (a revert's +1 h / cancel). */
  tinted: "border border-sky-300 hover:bg-sky-100 dark:border-sky-800 dark:hover:bg-sky-900",
  /** Looks like a link: "use 5", "Clear the filter". */
  link: "text-sky-700 underline underline-offset-2 dark:text-sky-400",
} as const;

const SIZES = {
  md: "px-3 py-1.5 text-sm",
  sm: "h-7 px-2 text-xs",
  xs: "px-1.5 py-0.5 text-xs",
  icon: "h-6 w-6 text-sm leading-none",
  /** No box of its own: for link buttons in running text. */
  inline: "",
} as const;

export type ButtonVariant = keyof typeof VARIANTS;
export type ButtonSize = keyof typeof SIZES;

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
};

/**
 * A button in one of the app's few looks and sizes. `type` defaults to "button" (never an
 * accidental submit); `className` is for layout (margins, width), not for colours or padding.
 */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  {
    variant = "outline",
    size = variant === "link" ? "inline" : "md",
    className = "",
    type = "button",
    ...rest
  },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      className={`rounded disabled:opacity-50 ${VARIANTS[variant]} ${SIZES[size]} ${className}`}
      {...rest}
    />
  );
});
