export { authorize, can, type Action, type Identity, type Role, type Scope } from "./roles";
export { currentIdentity } from "./current";
