/**
 * What the roles editor reads: the one permission catalogue (with its Russian words), the roles
 * as they are now, and one role's history. Keys start with `owner`, so the owner section's one
 * invalidation after a command (`refreshOwner`) refreshes the editor too.
 */
import { useQuery } from '@tanstack/react-query';
import { graphql } from '../../api/generated/graphql/gql.ts';
import { query } from '../../api/graphql.ts';

export const RolesEditorDocument = graphql(`
  query RolesEditor {
    permissionCatalogue {
      code
      area
      areaName
      description
    }
    roles {
      code
      name
      permissions
      archived
    }
  }
`);

export const RoleHistoryDocument = graphql(`
  query RoleHistory($id: String!, $after: String) {
    history(kind: ROLE, id: $id, first: 50, after: $after) {
      nodes {
        version
        summary
        actor
        actorName
        at
      }
      endCursor
      hasNextPage
    }
  }
`);

export function useRolesEditor() {
  return useQuery({ queryKey: ['owner', 'roles-editor'], queryFn: () => query(RolesEditorDocument) });
}

export function useRoleHistory(code: string | null) {
  return useQuery({
    queryKey: ['owner', 'role-history', code],
    queryFn: () => query(RoleHistoryDocument, { id: code ?? '' }),
    enabled: code !== null,
  });
}
