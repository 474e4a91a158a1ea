/**
 * The roles editor's rules as the screen applies them before the server does: which box may be
 * ticked or cleared and, when not, why in words. The server decides anyway (nobody grants what
 * they lack, the owner role is fixed, an archived role takes no edits); these only keep the screen
 * from offering what would be refused.
 */

export const OWNER_ROLE = 'owner';

export interface CataloguePermission {
  code: string;
  area: string;
  areaName: string;
  description: string;
}

export interface EditorRole {
  code: string;
  name: string;
  permissions: string[];
  archived: boolean;
}

export interface Area {
  area: string;
  areaName: string;
  permissions: CataloguePermission[];
}

/** The catalogue by area, in the catalogue's own order (areas as they first appear). */
export function groupByArea(catalogue: readonly CataloguePermission[]): Area[] {
  const areas: Area[] = [];
  for (const permission of catalogue) {
    let area = areas.find((a) => a.area === permission.area);
    if (!area) {
      area = { area: permission.area, areaName: permission.areaName, permissions: [] };
      areas.push(area);
    }
    area.permissions.push(permission);
  }
  return areas;
}

/** Whether the role allows the permission: the owner role always allows everything. */
export function allows(role: EditorRole, permission: string): boolean {
  return role.code === OWNER_ROLE || role.permissions.includes(permission);
}

/** Why a box cannot be changed by this user, or null when it can. */
export type Lock = 'owner' | 'archived' | 'no_edit' | 'not_held' | null;

/**
 * What stops the user from changing one box: the owner role's column is fixed; an archived role
 * takes no edits; without `role.edit` nothing changes; a permission the user does not hold cannot
 * be granted (clearing it takes nothing from the user's reach, so the server allows it).
 */
export function lockOf(
  role: EditorRole,
  permission: string,
  userPermissions: readonly string[],
): Lock {
  if (role.code === OWNER_ROLE) return 'owner';
  if (role.archived) return 'archived';
  if (!userPermissions.includes('role.edit')) return 'no_edit';
  if (!allows(role, permission) && !userPermissions.includes(permission)) return 'not_held';
  return null;
}

/** A role's new code from its name is typed by the user: the server's rule, checked early. */
export const CODE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

export function validCode(code: string): boolean {
  return CODE_PATTERN.test(code);
}

/** Roles in the matrix: the owner first, then by name; archived roles apart. */
export function sortRoles(roles: readonly EditorRole[]): { current: EditorRole[]; archived: EditorRole[] } {
  const byName = (a: EditorRole, b: EditorRole) =>
    a.code === OWNER_ROLE ? -1 : b.code === OWNER_ROLE ? 1 : a.name.localeCompare(b.name, 'ru');
  return {
    current: roles.filter((r) => !r.archived).sort(byName),
    archived: roles.filter((r) => r.archived).sort(byName),
  };
}
