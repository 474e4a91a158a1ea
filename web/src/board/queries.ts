/**
 * The board's one read: every tile of the active columns and, in the same request, the orders
 * handed over today. Only the fields a tile shows are asked for; the client and the vehicle are
 * left out when the role may not read them (a mechanic has no `client.read`: asking would fail
 * the whole answer). Every directive is written so that an omitted variable means the plain board
 * (`@skip` for what is there by default, `@include` for the extra column): the query API does not
 * apply a variable's default inside `@include`/`@skip` (an omitted `$x: Boolean = true` in
 * `@include(if: $x)` leaves the field out), and the bench sends only `statuses` and `first`.
 *
 * `statuses` takes the schema's `Status` enum (`DRAFT`, `IN_PROGRESS`...): `boardStatuses` turns
 * the lifecycle's lower-case statuses into it.
 */
import { graphql } from '../api/generated/graphql/gql.ts';

export const BoardDocument = graphql(`
  query Board(
    $statuses: [Status!]
    $first: Int
    $openedFrom: DateTime
    $openedTo: DateTime
    $skipActive: Boolean = false
    $withClosed: Boolean = false
    $closedFrom: DateTime
    $closedTo: DateTime
    $skipClient: Boolean = false
    $skipVehicle: Boolean = false
  ) {
    workOrders(first: $first, filter: { statuses: $statuses, openedFrom: $openedFrom, openedTo: $openedTo })
      @skip(if: $skipActive) {
      nodes {
        ...BoardTile
      }
      hasNextPage
    }
    closed: workOrders(
      first: 100
      filter: { closedFrom: $closedFrom, closedTo: $closedTo, openedFrom: $openedFrom, openedTo: $openedTo }
    ) @include(if: $withClosed) {
      nodes {
        ...BoardTile
      }
    }
  }

  fragment BoardTile on WorkOrder {
    id
    number
    status
    promisedAt
    pendingApprovalLines
    balanceDue
    total
    client @skip(if: $skipClient) {
      displayName
    }
    vehicle @skip(if: $skipVehicle) {
      plate
      make
      model
    }
    mechanics {
      id
      fullName
    }
    approvalLinks {
      state
      openedAt
      answer {
        at
      }
    }
  }
`);
