import { createContext, useContext } from 'react';

/** The groups whose IAM roles may start recalls, drills, exports and FDA requests, hold lots and close recalls (infra/console.ts). */
const MANAGING_GROUPS = new Set(['compliance', 'quality']);

/** Who uses the console, and what the UI offers them. */
export type Access = {
  /** signed in through Cognito (a cloud build); false on the local server */
  signedIn: boolean;
  user?: string;
  groups: readonly string[];
  /** compliance or quality: start recalls and exports, record FDA requests, hold and release, close recalls */
  mayManage: boolean;
  signOut?: () => void;
};

/** The local server (`npm start`): no sign-in, everything offered, as the API there allows. */
export const LOCAL_ACCESS: Access = { signedIn: false, groups: [], mayManage: true };

export const mayManage = (groups: readonly string[]) => groups.some((g) => MANAGING_GROUPS.has(g));

export const AccessContext = createContext<Access>(LOCAL_ACCESS);
export const useAccess = () => useContext(AccessContext);
