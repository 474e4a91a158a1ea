import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every GraphQL document in src/, from the query API's schema (schema/schema.graphql,
// printed by `motorlog-query-api sdl`). Documents are sent as strings: no GraphQL runtime ships.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/api/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'src/api/generated/graphql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          DateTime: 'string',
          NaiveDate: 'string',
          Money: 'string',
          UUID: 'string',
          JSON: 'unknown',
        },
      },
    },
  },
};
export default config;
