import "server-only";
export {
  authorize,
  can,
  type Action,
  type AuthorizedIdentity,
  type Grant,
  type Identity,
  type Role,
  type Scope,
  type Target,
} from "./roles";
export { currentIdentity, identityFromRequest } from "./current";
export { assertSameOrigin } from "./origin";
