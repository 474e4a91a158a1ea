/** The files of a record, with the short links the query API signs for whoever may see it. */
import { graphql } from '../api/generated/graphql/gql.ts';

export const OrderAttachmentsDocument = graphql(`
  query OrderAttachments($id: UUID!) {
    workOrder(id: $id) {
      id
      attachments {
        id
        kind
        purpose
        contentType
        size
        attachedAt
        url
        thumbnailUrl
      }
    }
  }
`);
