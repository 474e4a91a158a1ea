/** The new-visit screen's reads: the one search box, a client with their cars, a car with its owner. */
import { graphql } from '../api/generated/graphql/gql.ts';

export const NewVisitSearchDocument = graphql(`
  query NewVisitSearch($text: String!) {
    search(text: $text, first: 20) {
      kind
      id
      title
      subtitle
      rank
    }
  }
`);

export const NewVisitClientDocument = graphql(`
  query NewVisitClient($id: UUID!) {
    client(id: $id) {
      id
      kind
      displayName
      inn
      phones
      archived
      vehicles {
        ...NewVisitCar
      }
    }
  }
`);

export const NewVisitVehicleDocument = graphql(`
  query NewVisitVehicle($id: UUID!) {
    vehicle(id: $id) {
      ...NewVisitCar
      owner {
        id
      }
    }
  }
`);

export const NewVisitCarFragment = graphql(`
  fragment NewVisitCar on Vehicle {
    id
    vin
    plate
    make
    model
    year
    mileageKm
    mileageAt
  }
`);
