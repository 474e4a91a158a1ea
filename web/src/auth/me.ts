/**
 * Who is signed in and what they may do, as the query API computes it from the roles as they are
 * now. Screens hide what the user cannot do with `can`; the services still check every request.
 */
import { useQuery } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import { query } from '../api/graphql.ts';
import type { MeQuery } from '../api/generated/graphql/graphql.ts';

export const MeDocument = graphql(`
  query Me {
    me {
      employeeId
      roles
      permissions
    }
  }
`);

export type Me = MeQuery['me'];

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => query(MeDocument), staleTime: 60_000 });
}

/** Whether the signed-in employee holds a permission (by its stable code, e.g. `invoice.issue`). */
export function can(me: Me | undefined, permission: string): boolean {
  return me?.permissions.includes(permission) ?? false;
}
