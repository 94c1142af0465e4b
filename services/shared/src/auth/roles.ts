// The order of roles in a workspace, as the API enforces it and the dashboard shows it: a page
// offers only the controls its reader's role may use.
import type { MemberRole } from '../db/schema/identity';

const roleRank: Record<MemberRole, number> = { viewer: 0, developer: 1, owner: 2 };

/** Whether `role` may do what `needed` may (an owner may do what a developer may, and so on). */
export function hasRole(role: MemberRole, needed: MemberRole): boolean {
  return roleRank[role] >= roleRank[needed];
}
