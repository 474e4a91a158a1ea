/**
 * What the owner's screens read. Every key starts with `owner`, so one invalidation after a
 * command refreshes them all (the reads wait for the command's log position, so they show it).
 */
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { graphql } from '../api/generated/graphql/gql.ts';
import { query } from '../api/graphql.ts';

export const OwnerEmployeesDocument = graphql(`
  query OwnerEmployees($includeInactive: Boolean!) {
    employees(includeInactive: $includeInactive) {
      id
      fullName
      position
      roles
      active
      hiredAt
      email
      phone
    }
  }
`);

export const OwnerRolesDocument = graphql(`
  query OwnerRoles {
    roles {
      code
      name
      permissions
      archived
    }
  }
`);

export const OwnerSettingsDocument = graphql(`
  query OwnerSettings {
    settings {
      shopName
      legalName
      inn
      kpp
      ogrn
      address
      defaultRate
      categoryRates {
        category
        rate
      }
      vatRateBp
      approvalLinkHours
      documentTexts {
        guarantee
        notes
      }
      markupDefault {
        from
        to
        markupBp
      }
      markupByCategory {
        category
        ranges {
          from
          to
          markupBp
        }
      }
      document
    }
  }
`);

/** «Сообщения клиенту»: the templates written, the quiet hours and what each trigger may say. */
export const OwnerNotificationsDocument = graphql(`
  query OwnerNotifications {
    settings {
      notificationTemplates {
        trigger
        channel
        subject
        body
      }
      quietHours {
        from
        until
      }
      notificationTriggers {
        trigger
        code
        name
        placeholders
      }
    }
  }
`);

export const OwnerDirectoriesDocument = graphql(`
  query OwnerDirectories {
    directories {
      code
      name
      entries {
        code
        name
        active
      }
    }
  }
`);

export const OwnerCatalogueDocument = graphql(`
  query OwnerCatalogue {
    catalogue(activeOnly: false) {
      id
      name
      category
      normHours
      active
    }
  }
`);

export function useEmployees(includeInactive: boolean) {
  return useQuery({
    queryKey: ['owner', 'employees', includeInactive],
    queryFn: () => query(OwnerEmployeesDocument, { includeInactive }),
  });
}

export function useRoles(enabled: boolean) {
  return useQuery({ queryKey: ['owner', 'roles'], queryFn: () => query(OwnerRolesDocument), enabled });
}

export function useSettings() {
  return useQuery({ queryKey: ['owner', 'settings'], queryFn: () => query(OwnerSettingsDocument) });
}

export function useNotificationSettings() {
  return useQuery({ queryKey: ['owner', 'notifications'], queryFn: () => query(OwnerNotificationsDocument) });
}

export function useDirectories() {
  return useQuery({ queryKey: ['owner', 'directories'], queryFn: () => query(OwnerDirectoriesDocument) });
}

export function useCatalogue() {
  return useQuery({ queryKey: ['owner', 'catalogue'], queryFn: () => query(OwnerCatalogueDocument) });
}

/** After a command: every owner read again. */
export function refreshOwner(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: ['owner'] });
}
