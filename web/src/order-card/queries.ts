/**
 * The order card's reads. Fields a role may not read (the client, the vehicle, contacts, a line's
 * stock) are asked for only when `me` says the role holds the permission: the query API refuses
 * them otherwise, and a refused field fails the whole read here.
 */
import { graphql } from '../api/generated/graphql/gql.ts';

export const OrderCardDocument = graphql(`
  query OrderCard($id: UUID!, $withClient: Boolean!, $withContacts: Boolean!, $withVehicle: Boolean!, $withStock: Boolean!) {
    workOrder(id: $id) {
      id
      version
      number
      status
      openedAt
      acceptedAt
      approvedAt
      startedAt
      completedAt
      closedAt
      cancelledAt
      cancelReason
      promisedAt
      pendingApprovalLines
      labour
      parts
      discount
      total
      vat
      vatRateBp
      client @include(if: $withClient) {
        id
        displayName
        phones @include(if: $withContacts)
      }
      vehicle @include(if: $withVehicle) {
        id
        plate
        make
        model
        year
        vin
      }
      lines {
        id
        ordinal
        kind
        description
        partNumber
        catalogueServiceId
        quantity
        unitPrice
        discountBp
        discount
        amount
        progress
        approval
        approvedBy
        approvedAt
        mechanic {
          id
          fullName
        }
        stock @include(if: $withStock) {
          partId
          reserved
          backordered
          issued
        }
      }
      intake {
        mileageKm
        complaints
        fuelEighths
        visibleDamage
        itemsLeft
        at
      }
      recommendations {
        id
        text
        estimate
        at
      }
    }
  }
`);

export const OrderHistoryDocument = graphql(`
  query OrderHistory($id: String!, $after: String) {
    history(kind: WORK_ORDER, id: $id, first: 100, after: $after) {
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

export const OrderCatalogueDocument = graphql(`
  query OrderCatalogue {
    catalogue {
      id
      name
      category
      normHours
    }
  }
`);

export const OrderStaffDocument = graphql(`
  query OrderStaff {
    employees {
      id
      fullName
      roles
    }
  }
`);

export const VehicleOrdersDocument = graphql(`
  query VehicleOrders($vehicleId: UUID!) {
    workOrders(first: 50, filter: { vehicleId: $vehicleId }) {
      nodes {
        id
        number
        openedAt
        recommendations {
          id
          text
          estimate
          at
        }
      }
    }
  }
`);

/**
 * «Сообщения клиенту»: the client's consent and open channels (asked only of a role that reads the
 * client) and this order's messages, oldest first.
 */
export const OrderMessagesDocument = graphql(`
  query OrderMessages($id: UUID!, $withClient: Boolean!) {
    workOrder(id: $id) {
      id
      client @include(if: $withClient) {
        id
        messages {
          consent
          sms
          email
        }
      }
      notifications {
        id
        trigger
        triggerName
        channel
        status
        attempts
        nextAt
        providerId
        reason
        reasonText
        queuedAt
        updatedAt
      }
    }
  }
`);
