/**
 * Reads through the query API. Documents are written with `graphql(...)` next to the screen that
 * uses them; `npm run codegen` types each one from the schema (`schema/schema.graphql`, printed by
 * `motorlog-query-api sdl`), so a field that does not exist does not compile.
 */
import { ApiError } from './errors.ts';
import type { TypedDocumentString } from './generated/graphql/graphql.ts';
import { call } from './http.ts';

export const GRAPHQL_URL = '/graphql';

interface GraphqlError {
  message?: string;
  extensions?: { code?: string; message_ru?: string; permission?: string; field?: string };
}

const STATUS_OF: Record<string, number> = {
  forbidden: 403,
  unauthenticated: 401,
  not_found: 404,
  invalid_argument: 400,
  not_ready: 503,
  unavailable: 503,
};

/** The first error of an answer as an ApiError (403 for a refusal, 404 for a missing record...). */
export function graphqlError(errors: GraphqlError[]): ApiError {
  const first = errors[0] ?? {};
  const code = first.extensions?.code ?? 'graphql';
  const details: Record<string, unknown> = {};
  if (first.extensions?.permission) details.permission = first.extensions.permission;
  if (first.extensions?.field) details.field = first.extensions.field;
  return new ApiError(
    STATUS_OF[code] ?? 400,
    code,
    first.message ?? 'GraphQL error',
    first.extensions?.message_ru ?? 'Не удалось загрузить данные.',
    details,
  );
}

/** Runs a typed query; waits (server side) for the read models to reach this tab's last write. */
export async function query<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  ...[variables]: Variables extends Record<string, never> ? [] : [Variables]
): Promise<Result> {
  const answer = await call<{ data?: Result | null; errors?: GraphqlError[] }>(GRAPHQL_URL, {
    method: 'POST',
    body: { query: document.toString(), variables: variables ?? {} },
    withPosition: true,
  });
  const { data, errors } = answer.body;
  if (errors && errors.length > 0) throw graphqlError(errors);
  if (data == null) throw new ApiError(502, 'empty_answer', 'no data', 'Сервер не вернул данных.');
  return data;
}
