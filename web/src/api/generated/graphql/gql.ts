/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query AuditSearch($text: String!) {\n    search(text: $text, first: 20) {\n      kind\n      id\n      title\n      subtitle\n    }\n  }\n": typeof types.AuditSearchDocument,
    "\n  query AuditHistory($kind: RecordKind!, $id: String!, $after: String) {\n    history(kind: $kind, id: $id, first: 200, after: $after) {\n      nodes {\n        version\n        eventType\n        summary\n        actor\n        actorName\n        at\n        correlationId\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.AuditHistoryDocument,
    "\n  query AuditWorkOrderAt($id: UUID!, $version: Int!) {\n    workOrderAt(id: $id, version: $version) {\n      id\n      version\n      lastVersion\n      at\n      number\n      status\n      mileageKm\n      complaints\n      promisedAt\n      lines {\n        id\n        kind\n        description\n        partNumber\n        quantity\n        unitPrice\n        discountBp\n        discount\n        amount\n        progress\n        approval\n        approvedBy\n        approvalChannel\n        approvedAt\n      }\n      totals {\n        labour\n        parts\n        discount\n        total\n        vat\n        vatRateBp\n      }\n    }\n  }\n": typeof types.AuditWorkOrderAtDocument,
    "\n  query Me {\n    me {\n      employeeId\n      roles\n      permissions\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Board(\n    $statuses: [Status!]\n    $first: Int\n    $openedFrom: DateTime\n    $openedTo: DateTime\n    $skipActive: Boolean = false\n    $withClosed: Boolean = false\n    $closedFrom: DateTime\n    $closedTo: DateTime\n    $skipClient: Boolean = false\n    $skipVehicle: Boolean = false\n  ) {\n    workOrders(first: $first, filter: { statuses: $statuses, openedFrom: $openedFrom, openedTo: $openedTo })\n      @skip(if: $skipActive) {\n      nodes {\n        ...BoardTile\n      }\n      hasNextPage\n    }\n    closed: workOrders(\n      first: 100\n      filter: { closedFrom: $closedFrom, closedTo: $closedTo, openedFrom: $openedFrom, openedTo: $openedTo }\n    ) @include(if: $withClosed) {\n      nodes {\n        ...BoardTile\n      }\n    }\n  }\n\n  fragment BoardTile on WorkOrder {\n    id\n    number\n    status\n    promisedAt\n    pendingApprovalLines\n    balanceDue\n    total\n    client @skip(if: $skipClient) {\n      displayName\n    }\n    vehicle @skip(if: $skipVehicle) {\n      plate\n      make\n      model\n    }\n    mechanics {\n      id\n      fullName\n    }\n    approvalLinks {\n      state\n      openedAt\n      answer {\n        at\n      }\n    }\n  }\n": typeof types.BoardDocument,
    "\n  query CashierOrdersToInvoice {\n    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {\n      nodes {\n        id\n        number\n        completedAt\n        total\n        client {\n          id\n          displayName\n        }\n        invoices {\n          id\n          voided\n        }\n      }\n      hasNextPage\n    }\n  }\n": typeof types.CashierOrdersToInvoiceDocument,
    "\n  query CashierDueInvoices($first: Int!) {\n    invoices(dueOnly: true, first: $first) {\n      nodes {\n        id\n        number\n        issuedAt\n        total\n        balanceDue\n        status\n        workOrderNumber\n        client {\n          id\n          displayName\n        }\n      }\n      hasNextPage\n    }\n  }\n": typeof types.CashierDueInvoicesDocument,
    "\n  query CashierInvoice($id: UUID!) {\n    invoice(id: $id) {\n      id\n      version\n      number\n      workOrderId\n      workOrderNumber\n      payerKind\n      payerName\n      payerInn\n      issuedAt\n      total\n      vat\n      paid\n      refunded\n      balanceDue\n      voided\n      voidReason\n      status\n      lines {\n        kind\n        description\n        quantity\n        unitPrice\n        discount\n        amount\n      }\n      payments {\n        id\n        kind\n        amount\n        method\n        reference\n        reason\n        at\n      }\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": typeof types.CashierInvoiceDocument,
    "\n  query CashierPaymentMethods {\n    directories(code: \"payment_methods\") {\n      code\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n": typeof types.CashierPaymentMethodsDocument,
    "\n  query CashierDebtors {\n    debtors(first: 200) {\n      clientId\n      invoices\n      balanceDue\n      oldestIssuedAt\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": typeof types.CashierDebtorsDocument,
    "\n  query MechanicFigures($from: DateTime!, $to: DateTime!, $granularity: Granularity!, $mechanicId: UUID) {\n    mechanicFigures(from: $from, to: $to, granularity: $granularity, mechanicId: $mechanicId) {\n      mechanicId\n      employee {\n        id\n        fullName\n      }\n      starts\n      finishedLines\n      outputTenths\n      outputClockedMinutes\n      jobMinutes\n      shiftMinutes\n      efficiencyBasisPoints\n      productivityBasisPoints\n    }\n  }\n": typeof types.MechanicFiguresDocument,
    "\n  query NewVisitSearch($text: String!) {\n    search(text: $text, first: 20) {\n      kind\n      id\n      title\n      subtitle\n      rank\n    }\n  }\n": typeof types.NewVisitSearchDocument,
    "\n  query NewVisitClient($id: UUID!) {\n    client(id: $id) {\n      id\n      kind\n      displayName\n      inn\n      phones\n      archived\n      vehicles {\n        ...NewVisitCar\n      }\n    }\n  }\n": typeof types.NewVisitClientDocument,
    "\n  query NewVisitVehicle($id: UUID!) {\n    vehicle(id: $id) {\n      ...NewVisitCar\n      owner {\n        id\n      }\n    }\n  }\n": typeof types.NewVisitVehicleDocument,
    "\n  fragment NewVisitCar on Vehicle {\n    id\n    vin\n    plate\n    make\n    model\n    year\n    mileageKm\n    mileageAt\n  }\n": typeof types.NewVisitCarFragmentDoc,
    "\n  query OrderApprovalLinks($id: UUID!) {\n    workOrder(id: $id) {\n      id\n      approvalLinks {\n        id\n        issuedAt\n        expiresAt\n        openedAt\n        state\n        answer {\n          by\n          address\n          userAgent\n          at\n          approved\n          declined\n        }\n      }\n    }\n  }\n": typeof types.OrderApprovalLinksDocument,
    "\n  query OrderCard($id: UUID!, $withClient: Boolean!, $withContacts: Boolean!, $withVehicle: Boolean!, $withStock: Boolean!) {\n    workOrder(id: $id) {\n      id\n      version\n      number\n      status\n      openedAt\n      acceptedAt\n      approvedAt\n      startedAt\n      completedAt\n      closedAt\n      cancelledAt\n      cancelReason\n      promisedAt\n      pendingApprovalLines\n      labour\n      parts\n      discount\n      total\n      vat\n      vatRateBp\n      client @include(if: $withClient) {\n        id\n        displayName\n        phones @include(if: $withContacts)\n      }\n      vehicle @include(if: $withVehicle) {\n        id\n        plate\n        make\n        model\n        year\n        vin\n      }\n      lines {\n        id\n        ordinal\n        kind\n        description\n        partNumber\n        catalogueServiceId\n        quantity\n        unitPrice\n        discountBp\n        discount\n        amount\n        progress\n        approval\n        approvedBy\n        approvedAt\n        mechanic {\n          id\n          fullName\n        }\n        stock @include(if: $withStock) {\n          partId\n          reserved\n          backordered\n          issued\n        }\n      }\n      intake {\n        mileageKm\n        complaints\n        fuelEighths\n        visibleDamage\n        itemsLeft\n        at\n      }\n      recommendations {\n        id\n        text\n        estimate\n        at\n      }\n    }\n  }\n": typeof types.OrderCardDocument,
    "\n  query OrderHistory($id: String!, $after: String) {\n    history(kind: WORK_ORDER, id: $id, first: 100, after: $after) {\n      nodes {\n        version\n        summary\n        actor\n        actorName\n        at\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.OrderHistoryDocument,
    "\n  query OrderCatalogue {\n    catalogue {\n      id\n      name\n      category\n      normHours\n    }\n  }\n": typeof types.OrderCatalogueDocument,
    "\n  query OrderStaff {\n    employees {\n      id\n      fullName\n      roles\n    }\n  }\n": typeof types.OrderStaffDocument,
    "\n  query VehicleOrders($vehicleId: UUID!) {\n    workOrders(first: 50, filter: { vehicleId: $vehicleId }) {\n      nodes {\n        id\n        number\n        openedAt\n        recommendations {\n          id\n          text\n          estimate\n          at\n        }\n      }\n    }\n  }\n": typeof types.VehicleOrdersDocument,
    "\n  query OwnerEmployees($includeInactive: Boolean!) {\n    employees(includeInactive: $includeInactive) {\n      id\n      fullName\n      position\n      roles\n      active\n      hiredAt\n      email\n      phone\n    }\n  }\n": typeof types.OwnerEmployeesDocument,
    "\n  query OwnerRoles {\n    roles {\n      code\n      name\n      permissions\n      archived\n    }\n  }\n": typeof types.OwnerRolesDocument,
    "\n  query OwnerSettings {\n    settings {\n      shopName\n      legalName\n      inn\n      kpp\n      ogrn\n      address\n      defaultRate\n      categoryRates {\n        category\n        rate\n      }\n      vatRateBp\n      approvalLinkHours\n      markupDefault {\n        from\n        to\n        markupBp\n      }\n      markupByCategory {\n        category\n        ranges {\n          from\n          to\n          markupBp\n        }\n      }\n      document\n    }\n  }\n": typeof types.OwnerSettingsDocument,
    "\n  query OwnerDirectories {\n    directories {\n      code\n      name\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n": typeof types.OwnerDirectoriesDocument,
    "\n  query OwnerCatalogue {\n    catalogue(activeOnly: false) {\n      id\n      name\n      category\n      normHours\n      active\n    }\n  }\n": typeof types.OwnerCatalogueDocument,
    "\n  query RolesEditor {\n    permissionCatalogue {\n      code\n      area\n      areaName\n      description\n    }\n    roles {\n      code\n      name\n      permissions\n      archived\n    }\n  }\n": typeof types.RolesEditorDocument,
    "\n  query RoleHistory($id: String!, $after: String) {\n    history(kind: ROLE, id: $id, first: 50, after: $after) {\n      nodes {\n        version\n        summary\n        actor\n        actorName\n        at\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.RoleHistoryDocument,
    "\n  query PlanningPeriod(\n    $from: NaiveDate!\n    $to: NaiveDate!\n    $start: DateTime!\n    $end: DateTime!\n    $withClient: Boolean!\n    $withVehicle: Boolean!\n  ) {\n    capacity(from: $from, to: $to) {\n      ...PlanningDay\n    }\n    appointments(from: $start, to: $end) {\n      id\n      clientId\n      vehicleId\n      wantedAt\n      bayKind\n      mechanicId\n      status\n      loadTenths\n      note\n      cancelReason\n      workOrderId\n      works {\n        name\n        normHoursTenths\n      }\n      client @include(if: $withClient) {\n        id\n        displayName\n      }\n      vehicle @include(if: $withVehicle) {\n        id\n        plate\n        vin\n        make\n        model\n      }\n      mechanic {\n        id\n        fullName\n      }\n    }\n  }\n": typeof types.PlanningPeriodDocument,
    "\n  fragment PlanningDay on DayPlan {\n    date\n    closed\n    overloaded\n    mechanics {\n      employeeId\n      capacityTenths\n      carryoverTenths\n      bookedTenths\n      freeTenths\n      overloaded\n      employee {\n        id\n        fullName\n      }\n    }\n    bays {\n      kind\n      capacityTenths\n      bookedTenths\n      freeTenths\n      overloaded\n    }\n    totals {\n      capacityTenths\n      carryoverTenths\n      bookedTenths\n      freeTenths\n    }\n  }\n": typeof types.PlanningDayFragmentDoc,
    "\n  query PlanningCapacity($from: NaiveDate!, $to: NaiveDate!) {\n    capacity(from: $from, to: $to) {\n      ...PlanningDay\n    }\n  }\n": typeof types.PlanningCapacityDocument,
    "\n  query PlanningBays {\n    bays {\n      id\n      name\n      kind\n      active\n    }\n  }\n": typeof types.PlanningBaysDocument,
    "\n  query PlanningCatalogue {\n    catalogue {\n      id\n      name\n      normHours\n    }\n  }\n": typeof types.PlanningCatalogueDocument,
    "\n  query MyJobs($withVehicle: Boolean!) {\n    mechanicQueue {\n      employeeId\n      clock {\n        onShiftSince\n        running {\n          workOrderId\n          lineId\n          since\n        }\n        paused {\n          workOrderId\n          lineId\n        }\n      }\n      jobs {\n        workOrderId\n        number\n        status\n        promisedAt\n        lineId\n        description\n        normHoursTenths\n        progress\n        running\n        paused\n        clockedSeconds\n        runningSince\n        vehicle @include(if: $withVehicle) {\n          id\n          plate\n          vin\n          make\n          model\n        }\n      }\n    }\n  }\n": typeof types.MyJobsDocument,
    "\n  query RevenueReport($from: DateTime!, $to: DateTime!, $granularity: Granularity!) {\n    revenue(from: $from, to: $to, granularity: $granularity) {\n      starts\n      invoices\n      revenue\n    }\n  }\n": typeof types.RevenueReportDocument,
    "\n  query PeriodSummary($from: DateTime!, $to: DateTime!) {\n    averageRepairOrder(from: $from, to: $to) {\n      invoices\n      revenue\n      average\n    }\n    carCount(from: $from, to: $to) {\n      orders\n      cars\n    }\n    recommendationConversion(from: $from, to: $to) {\n      recommendations\n      converted\n      rateBasisPoints\n    }\n  }\n": typeof types.PeriodSummaryDocument,
    "\n  query MechanicProductivity($from: DateTime!, $to: DateTime!) {\n    mechanicProductivity(from: $from, to: $to) {\n      mechanicId\n      lines\n      normHoursTenths\n      amount\n    }\n  }\n": typeof types.MechanicProductivityDocument,
    "\n  query ReportEmployees {\n    employees(includeInactive: true) {\n      id\n      fullName\n    }\n  }\n": typeof types.ReportEmployeesDocument,
    "\n  query TopItems($from: DateTime!, $to: DateTime!, $kind: ItemKind!, $first: Int) {\n    topItems(from: $from, to: $to, kind: $kind, first: $first) {\n      description\n      lines\n      quantity\n      amount\n    }\n  }\n": typeof types.TopItemsDocument,
    "\n  query ReceivablesAging($asOf: DateTime) {\n    receivablesAging(asOf: $asOf) {\n      age\n      invoices\n      owed\n    }\n  }\n": typeof types.ReceivablesAgingDocument,
    "\n  query StockLevels($first: Int!, $filter: StockFilter) {\n    stockLevels(first: $first, filter: $filter) {\n      nodes {\n        partId\n        location\n        number\n        brand\n        name\n        unit\n        onHand\n        reserved\n        onOrder\n        backordered\n        available\n        reorderMin\n        reorderMax\n        belowMin\n      }\n      hasNextPage\n    }\n  }\n": typeof types.StockLevelsDocument,
    "\n  query StockPartsToOrder {\n    partsToOrder(first: 100) {\n      nodes {\n        partId\n        number\n        brand\n        name\n        unit\n        available\n        onOrder\n        backordered\n        toOrder\n      }\n      hasNextPage\n    }\n  }\n": typeof types.StockPartsToOrderDocument,
    "\n  query StockParts($first: Int!, $search: String, $withStock: Boolean!) {\n    parts(first: $first, search: $search) {\n      nodes {\n        id\n        version\n        number\n        brand\n        name\n        unit\n        category\n        active\n        reorderMin\n        reorderMax\n        onHand @include(if: $withStock)\n        available @include(if: $withStock)\n      }\n      hasNextPage\n    }\n  }\n": typeof types.StockPartsDocument,
    "\n  query StockSuppliers {\n    suppliers {\n      id\n      legalName\n      inn\n      phone\n      paymentTermsDays\n    }\n  }\n": typeof types.StockSuppliersDocument,
    "\n  query StockPurchaseOrders($first: Int!, $withCosts: Boolean!) {\n    purchaseOrders(first: $first) {\n      nodes {\n        id\n        number\n        status\n        supplierId\n        supplierName\n        draftedAt\n        total @include(if: $withCosts)\n      }\n      hasNextPage\n    }\n  }\n": typeof types.StockPurchaseOrdersDocument,
    "\n  query StockPurchaseOrder($id: UUID!, $withCosts: Boolean!) {\n    purchaseOrder(id: $id) {\n      id\n      version\n      number\n      status\n      supplierName\n      sentAt\n      total @include(if: $withCosts)\n      lines {\n        id\n        ordinal\n        partId\n        number\n        name\n        quantity\n        received\n        outstanding\n        unitPrice @include(if: $withCosts)\n        amount @include(if: $withCosts)\n      }\n    }\n  }\n": typeof types.StockPurchaseOrderDocument,
    "\n  query StockPartHeader($id: UUID!) {\n    part(id: $id) {\n      id\n      number\n      brand\n      name\n      unit\n    }\n  }\n": typeof types.StockPartHeaderDocument,
    "\n  query StockMovements($partId: UUID!, $first: Int!, $after: String) {\n    stockMovements(partId: $partId, first: $first, after: $after) {\n      nodes {\n        location\n        kind\n        at\n        quantity\n        counted\n        onHandDelta\n        reservedDelta\n        onOrderDelta\n        workOrderId\n        purchaseOrderId\n        receiptId\n        countId\n        reason\n        by {\n          id\n          fullName\n        }\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.StockMovementsDocument,
    "\n  fragment MarginLine on MarginLine {\n    workOrderId\n    lineId\n    workOrderNumber\n    partId\n    partNumber\n    name\n    orderedQuantity\n    billedQuantity\n    billedAmount\n    issuedQuantity\n    issuedCost\n    at\n    issuedNotBilled\n    billedNotIssued\n    belowCost\n  }\n": typeof types.MarginLineFragmentDoc,
    "\n  query StockMarginReport($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!) {\n    marginSummary(from: $from, to: $to) {\n      bought\n      issuedCost\n      billedAmount\n      margin\n      lines\n      issuedNotBilled\n      billedNotIssued\n      belowCost\n    }\n    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first) {\n      nodes {\n        ...MarginLine\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.StockMarginReportDocument,
    "\n  query StockMarginLeaks($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!, $after: String) {\n    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first, after: $after) {\n      nodes {\n        ...MarginLine\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": typeof types.StockMarginLeaksDocument,
};
const documents: Documents = {
    "\n  query AuditSearch($text: String!) {\n    search(text: $text, first: 20) {\n      kind\n      id\n      title\n      subtitle\n    }\n  }\n": types.AuditSearchDocument,
    "\n  query AuditHistory($kind: RecordKind!, $id: String!, $after: String) {\n    history(kind: $kind, id: $id, first: 200, after: $after) {\n      nodes {\n        version\n        eventType\n        summary\n        actor\n        actorName\n        at\n        correlationId\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.AuditHistoryDocument,
    "\n  query AuditWorkOrderAt($id: UUID!, $version: Int!) {\n    workOrderAt(id: $id, version: $version) {\n      id\n      version\n      lastVersion\n      at\n      number\n      status\n      mileageKm\n      complaints\n      promisedAt\n      lines {\n        id\n        kind\n        description\n        partNumber\n        quantity\n        unitPrice\n        discountBp\n        discount\n        amount\n        progress\n        approval\n        approvedBy\n        approvalChannel\n        approvedAt\n      }\n      totals {\n        labour\n        parts\n        discount\n        total\n        vat\n        vatRateBp\n      }\n    }\n  }\n": types.AuditWorkOrderAtDocument,
    "\n  query Me {\n    me {\n      employeeId\n      roles\n      permissions\n    }\n  }\n": types.MeDocument,
    "\n  query Board(\n    $statuses: [Status!]\n    $first: Int\n    $openedFrom: DateTime\n    $openedTo: DateTime\n    $skipActive: Boolean = false\n    $withClosed: Boolean = false\n    $closedFrom: DateTime\n    $closedTo: DateTime\n    $skipClient: Boolean = false\n    $skipVehicle: Boolean = false\n  ) {\n    workOrders(first: $first, filter: { statuses: $statuses, openedFrom: $openedFrom, openedTo: $openedTo })\n      @skip(if: $skipActive) {\n      nodes {\n        ...BoardTile\n      }\n      hasNextPage\n    }\n    closed: workOrders(\n      first: 100\n      filter: { closedFrom: $closedFrom, closedTo: $closedTo, openedFrom: $openedFrom, openedTo: $openedTo }\n    ) @include(if: $withClosed) {\n      nodes {\n        ...BoardTile\n      }\n    }\n  }\n\n  fragment BoardTile on WorkOrder {\n    id\n    number\n    status\n    promisedAt\n    pendingApprovalLines\n    balanceDue\n    total\n    client @skip(if: $skipClient) {\n      displayName\n    }\n    vehicle @skip(if: $skipVehicle) {\n      plate\n      make\n      model\n    }\n    mechanics {\n      id\n      fullName\n    }\n    approvalLinks {\n      state\n      openedAt\n      answer {\n        at\n      }\n    }\n  }\n": types.BoardDocument,
    "\n  query CashierOrdersToInvoice {\n    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {\n      nodes {\n        id\n        number\n        completedAt\n        total\n        client {\n          id\n          displayName\n        }\n        invoices {\n          id\n          voided\n        }\n      }\n      hasNextPage\n    }\n  }\n": types.CashierOrdersToInvoiceDocument,
    "\n  query CashierDueInvoices($first: Int!) {\n    invoices(dueOnly: true, first: $first) {\n      nodes {\n        id\n        number\n        issuedAt\n        total\n        balanceDue\n        status\n        workOrderNumber\n        client {\n          id\n          displayName\n        }\n      }\n      hasNextPage\n    }\n  }\n": types.CashierDueInvoicesDocument,
    "\n  query CashierInvoice($id: UUID!) {\n    invoice(id: $id) {\n      id\n      version\n      number\n      workOrderId\n      workOrderNumber\n      payerKind\n      payerName\n      payerInn\n      issuedAt\n      total\n      vat\n      paid\n      refunded\n      balanceDue\n      voided\n      voidReason\n      status\n      lines {\n        kind\n        description\n        quantity\n        unitPrice\n        discount\n        amount\n      }\n      payments {\n        id\n        kind\n        amount\n        method\n        reference\n        reason\n        at\n      }\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": types.CashierInvoiceDocument,
    "\n  query CashierPaymentMethods {\n    directories(code: \"payment_methods\") {\n      code\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n": types.CashierPaymentMethodsDocument,
    "\n  query CashierDebtors {\n    debtors(first: 200) {\n      clientId\n      invoices\n      balanceDue\n      oldestIssuedAt\n      client {\n        id\n        displayName\n      }\n    }\n  }\n": types.CashierDebtorsDocument,
    "\n  query MechanicFigures($from: DateTime!, $to: DateTime!, $granularity: Granularity!, $mechanicId: UUID) {\n    mechanicFigures(from: $from, to: $to, granularity: $granularity, mechanicId: $mechanicId) {\n      mechanicId\n      employee {\n        id\n        fullName\n      }\n      starts\n      finishedLines\n      outputTenths\n      outputClockedMinutes\n      jobMinutes\n      shiftMinutes\n      efficiencyBasisPoints\n      productivityBasisPoints\n    }\n  }\n": types.MechanicFiguresDocument,
    "\n  query NewVisitSearch($text: String!) {\n    search(text: $text, first: 20) {\n      kind\n      id\n      title\n      subtitle\n      rank\n    }\n  }\n": types.NewVisitSearchDocument,
    "\n  query NewVisitClient($id: UUID!) {\n    client(id: $id) {\n      id\n      kind\n      displayName\n      inn\n      phones\n      archived\n      vehicles {\n        ...NewVisitCar\n      }\n    }\n  }\n": types.NewVisitClientDocument,
    "\n  query NewVisitVehicle($id: UUID!) {\n    vehicle(id: $id) {\n      ...NewVisitCar\n      owner {\n        id\n      }\n    }\n  }\n": types.NewVisitVehicleDocument,
    "\n  fragment NewVisitCar on Vehicle {\n    id\n    vin\n    plate\n    make\n    model\n    year\n    mileageKm\n    mileageAt\n  }\n": types.NewVisitCarFragmentDoc,
    "\n  query OrderApprovalLinks($id: UUID!) {\n    workOrder(id: $id) {\n      id\n      approvalLinks {\n        id\n        issuedAt\n        expiresAt\n        openedAt\n        state\n        answer {\n          by\n          address\n          userAgent\n          at\n          approved\n          declined\n        }\n      }\n    }\n  }\n": types.OrderApprovalLinksDocument,
    "\n  query OrderCard($id: UUID!, $withClient: Boolean!, $withContacts: Boolean!, $withVehicle: Boolean!, $withStock: Boolean!) {\n    workOrder(id: $id) {\n      id\n      version\n      number\n      status\n      openedAt\n      acceptedAt\n      approvedAt\n      startedAt\n      completedAt\n      closedAt\n      cancelledAt\n      cancelReason\n      promisedAt\n      pendingApprovalLines\n      labour\n      parts\n      discount\n      total\n      vat\n      vatRateBp\n      client @include(if: $withClient) {\n        id\n        displayName\n        phones @include(if: $withContacts)\n      }\n      vehicle @include(if: $withVehicle) {\n        id\n        plate\n        make\n        model\n        year\n        vin\n      }\n      lines {\n        id\n        ordinal\n        kind\n        description\n        partNumber\n        catalogueServiceId\n        quantity\n        unitPrice\n        discountBp\n        discount\n        amount\n        progress\n        approval\n        approvedBy\n        approvedAt\n        mechanic {\n          id\n          fullName\n        }\n        stock @include(if: $withStock) {\n          partId\n          reserved\n          backordered\n          issued\n        }\n      }\n      intake {\n        mileageKm\n        complaints\n        fuelEighths\n        visibleDamage\n        itemsLeft\n        at\n      }\n      recommendations {\n        id\n        text\n        estimate\n        at\n      }\n    }\n  }\n": types.OrderCardDocument,
    "\n  query OrderHistory($id: String!, $after: String) {\n    history(kind: WORK_ORDER, id: $id, first: 100, after: $after) {\n      nodes {\n        version\n        summary\n        actor\n        actorName\n        at\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.OrderHistoryDocument,
    "\n  query OrderCatalogue {\n    catalogue {\n      id\n      name\n      category\n      normHours\n    }\n  }\n": types.OrderCatalogueDocument,
    "\n  query OrderStaff {\n    employees {\n      id\n      fullName\n      roles\n    }\n  }\n": types.OrderStaffDocument,
    "\n  query VehicleOrders($vehicleId: UUID!) {\n    workOrders(first: 50, filter: { vehicleId: $vehicleId }) {\n      nodes {\n        id\n        number\n        openedAt\n        recommendations {\n          id\n          text\n          estimate\n          at\n        }\n      }\n    }\n  }\n": types.VehicleOrdersDocument,
    "\n  query OwnerEmployees($includeInactive: Boolean!) {\n    employees(includeInactive: $includeInactive) {\n      id\n      fullName\n      position\n      roles\n      active\n      hiredAt\n      email\n      phone\n    }\n  }\n": types.OwnerEmployeesDocument,
    "\n  query OwnerRoles {\n    roles {\n      code\n      name\n      permissions\n      archived\n    }\n  }\n": types.OwnerRolesDocument,
    "\n  query OwnerSettings {\n    settings {\n      shopName\n      legalName\n      inn\n      kpp\n      ogrn\n      address\n      defaultRate\n      categoryRates {\n        category\n        rate\n      }\n      vatRateBp\n      approvalLinkHours\n      markupDefault {\n        from\n        to\n        markupBp\n      }\n      markupByCategory {\n        category\n        ranges {\n          from\n          to\n          markupBp\n        }\n      }\n      document\n    }\n  }\n": types.OwnerSettingsDocument,
    "\n  query OwnerDirectories {\n    directories {\n      code\n      name\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n": types.OwnerDirectoriesDocument,
    "\n  query OwnerCatalogue {\n    catalogue(activeOnly: false) {\n      id\n      name\n      category\n      normHours\n      active\n    }\n  }\n": types.OwnerCatalogueDocument,
    "\n  query RolesEditor {\n    permissionCatalogue {\n      code\n      area\n      areaName\n      description\n    }\n    roles {\n      code\n      name\n      permissions\n      archived\n    }\n  }\n": types.RolesEditorDocument,
    "\n  query RoleHistory($id: String!, $after: String) {\n    history(kind: ROLE, id: $id, first: 50, after: $after) {\n      nodes {\n        version\n        summary\n        actor\n        actorName\n        at\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.RoleHistoryDocument,
    "\n  query PlanningPeriod(\n    $from: NaiveDate!\n    $to: NaiveDate!\n    $start: DateTime!\n    $end: DateTime!\n    $withClient: Boolean!\n    $withVehicle: Boolean!\n  ) {\n    capacity(from: $from, to: $to) {\n      ...PlanningDay\n    }\n    appointments(from: $start, to: $end) {\n      id\n      clientId\n      vehicleId\n      wantedAt\n      bayKind\n      mechanicId\n      status\n      loadTenths\n      note\n      cancelReason\n      workOrderId\n      works {\n        name\n        normHoursTenths\n      }\n      client @include(if: $withClient) {\n        id\n        displayName\n      }\n      vehicle @include(if: $withVehicle) {\n        id\n        plate\n        vin\n        make\n        model\n      }\n      mechanic {\n        id\n        fullName\n      }\n    }\n  }\n": types.PlanningPeriodDocument,
    "\n  fragment PlanningDay on DayPlan {\n    date\n    closed\n    overloaded\n    mechanics {\n      employeeId\n      capacityTenths\n      carryoverTenths\n      bookedTenths\n      freeTenths\n      overloaded\n      employee {\n        id\n        fullName\n      }\n    }\n    bays {\n      kind\n      capacityTenths\n      bookedTenths\n      freeTenths\n      overloaded\n    }\n    totals {\n      capacityTenths\n      carryoverTenths\n      bookedTenths\n      freeTenths\n    }\n  }\n": types.PlanningDayFragmentDoc,
    "\n  query PlanningCapacity($from: NaiveDate!, $to: NaiveDate!) {\n    capacity(from: $from, to: $to) {\n      ...PlanningDay\n    }\n  }\n": types.PlanningCapacityDocument,
    "\n  query PlanningBays {\n    bays {\n      id\n      name\n      kind\n      active\n    }\n  }\n": types.PlanningBaysDocument,
    "\n  query PlanningCatalogue {\n    catalogue {\n      id\n      name\n      normHours\n    }\n  }\n": types.PlanningCatalogueDocument,
    "\n  query MyJobs($withVehicle: Boolean!) {\n    mechanicQueue {\n      employeeId\n      clock {\n        onShiftSince\n        running {\n          workOrderId\n          lineId\n          since\n        }\n        paused {\n          workOrderId\n          lineId\n        }\n      }\n      jobs {\n        workOrderId\n        number\n        status\n        promisedAt\n        lineId\n        description\n        normHoursTenths\n        progress\n        running\n        paused\n        clockedSeconds\n        runningSince\n        vehicle @include(if: $withVehicle) {\n          id\n          plate\n          vin\n          make\n          model\n        }\n      }\n    }\n  }\n": types.MyJobsDocument,
    "\n  query RevenueReport($from: DateTime!, $to: DateTime!, $granularity: Granularity!) {\n    revenue(from: $from, to: $to, granularity: $granularity) {\n      starts\n      invoices\n      revenue\n    }\n  }\n": types.RevenueReportDocument,
    "\n  query PeriodSummary($from: DateTime!, $to: DateTime!) {\n    averageRepairOrder(from: $from, to: $to) {\n      invoices\n      revenue\n      average\n    }\n    carCount(from: $from, to: $to) {\n      orders\n      cars\n    }\n    recommendationConversion(from: $from, to: $to) {\n      recommendations\n      converted\n      rateBasisPoints\n    }\n  }\n": types.PeriodSummaryDocument,
    "\n  query MechanicProductivity($from: DateTime!, $to: DateTime!) {\n    mechanicProductivity(from: $from, to: $to) {\n      mechanicId\n      lines\n      normHoursTenths\n      amount\n    }\n  }\n": types.MechanicProductivityDocument,
    "\n  query ReportEmployees {\n    employees(includeInactive: true) {\n      id\n      fullName\n    }\n  }\n": types.ReportEmployeesDocument,
    "\n  query TopItems($from: DateTime!, $to: DateTime!, $kind: ItemKind!, $first: Int) {\n    topItems(from: $from, to: $to, kind: $kind, first: $first) {\n      description\n      lines\n      quantity\n      amount\n    }\n  }\n": types.TopItemsDocument,
    "\n  query ReceivablesAging($asOf: DateTime) {\n    receivablesAging(asOf: $asOf) {\n      age\n      invoices\n      owed\n    }\n  }\n": types.ReceivablesAgingDocument,
    "\n  query StockLevels($first: Int!, $filter: StockFilter) {\n    stockLevels(first: $first, filter: $filter) {\n      nodes {\n        partId\n        location\n        number\n        brand\n        name\n        unit\n        onHand\n        reserved\n        onOrder\n        backordered\n        available\n        reorderMin\n        reorderMax\n        belowMin\n      }\n      hasNextPage\n    }\n  }\n": types.StockLevelsDocument,
    "\n  query StockPartsToOrder {\n    partsToOrder(first: 100) {\n      nodes {\n        partId\n        number\n        brand\n        name\n        unit\n        available\n        onOrder\n        backordered\n        toOrder\n      }\n      hasNextPage\n    }\n  }\n": types.StockPartsToOrderDocument,
    "\n  query StockParts($first: Int!, $search: String, $withStock: Boolean!) {\n    parts(first: $first, search: $search) {\n      nodes {\n        id\n        version\n        number\n        brand\n        name\n        unit\n        category\n        active\n        reorderMin\n        reorderMax\n        onHand @include(if: $withStock)\n        available @include(if: $withStock)\n      }\n      hasNextPage\n    }\n  }\n": types.StockPartsDocument,
    "\n  query StockSuppliers {\n    suppliers {\n      id\n      legalName\n      inn\n      phone\n      paymentTermsDays\n    }\n  }\n": types.StockSuppliersDocument,
    "\n  query StockPurchaseOrders($first: Int!, $withCosts: Boolean!) {\n    purchaseOrders(first: $first) {\n      nodes {\n        id\n        number\n        status\n        supplierId\n        supplierName\n        draftedAt\n        total @include(if: $withCosts)\n      }\n      hasNextPage\n    }\n  }\n": types.StockPurchaseOrdersDocument,
    "\n  query StockPurchaseOrder($id: UUID!, $withCosts: Boolean!) {\n    purchaseOrder(id: $id) {\n      id\n      version\n      number\n      status\n      supplierName\n      sentAt\n      total @include(if: $withCosts)\n      lines {\n        id\n        ordinal\n        partId\n        number\n        name\n        quantity\n        received\n        outstanding\n        unitPrice @include(if: $withCosts)\n        amount @include(if: $withCosts)\n      }\n    }\n  }\n": types.StockPurchaseOrderDocument,
    "\n  query StockPartHeader($id: UUID!) {\n    part(id: $id) {\n      id\n      number\n      brand\n      name\n      unit\n    }\n  }\n": types.StockPartHeaderDocument,
    "\n  query StockMovements($partId: UUID!, $first: Int!, $after: String) {\n    stockMovements(partId: $partId, first: $first, after: $after) {\n      nodes {\n        location\n        kind\n        at\n        quantity\n        counted\n        onHandDelta\n        reservedDelta\n        onOrderDelta\n        workOrderId\n        purchaseOrderId\n        receiptId\n        countId\n        reason\n        by {\n          id\n          fullName\n        }\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.StockMovementsDocument,
    "\n  fragment MarginLine on MarginLine {\n    workOrderId\n    lineId\n    workOrderNumber\n    partId\n    partNumber\n    name\n    orderedQuantity\n    billedQuantity\n    billedAmount\n    issuedQuantity\n    issuedCost\n    at\n    issuedNotBilled\n    billedNotIssued\n    belowCost\n  }\n": types.MarginLineFragmentDoc,
    "\n  query StockMarginReport($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!) {\n    marginSummary(from: $from, to: $to) {\n      bought\n      issuedCost\n      billedAmount\n      margin\n      lines\n      issuedNotBilled\n      billedNotIssued\n      belowCost\n    }\n    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first) {\n      nodes {\n        ...MarginLine\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.StockMarginReportDocument,
    "\n  query StockMarginLeaks($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!, $after: String) {\n    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first, after: $after) {\n      nodes {\n        ...MarginLine\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n": types.StockMarginLeaksDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditSearch($text: String!) {\n    search(text: $text, first: 20) {\n      kind\n      id\n      title\n      subtitle\n    }\n  }\n"): typeof import('./graphql').AuditSearchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditHistory($kind: RecordKind!, $id: String!, $after: String) {\n    history(kind: $kind, id: $id, first: 200, after: $after) {\n      nodes {\n        version\n        eventType\n        summary\n        actor\n        actorName\n        at\n        correlationId\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').AuditHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditWorkOrderAt($id: UUID!, $version: Int!) {\n    workOrderAt(id: $id, version: $version) {\n      id\n      version\n      lastVersion\n      at\n      number\n      status\n      mileageKm\n      complaints\n      promisedAt\n      lines {\n        id\n        kind\n        description\n        partNumber\n        quantity\n        unitPrice\n        discountBp\n        discount\n        amount\n        progress\n        approval\n        approvedBy\n        approvalChannel\n        approvedAt\n      }\n      totals {\n        labour\n        parts\n        discount\n        total\n        vat\n        vatRateBp\n      }\n    }\n  }\n"): typeof import('./graphql').AuditWorkOrderAtDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      employeeId\n      roles\n      permissions\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Board(\n    $statuses: [Status!]\n    $first: Int\n    $openedFrom: DateTime\n    $openedTo: DateTime\n    $skipActive: Boolean = false\n    $withClosed: Boolean = false\n    $closedFrom: DateTime\n    $closedTo: DateTime\n    $skipClient: Boolean = false\n    $skipVehicle: Boolean = false\n  ) {\n    workOrders(first: $first, filter: { statuses: $statuses, openedFrom: $openedFrom, openedTo: $openedTo })\n      @skip(if: $skipActive) {\n      nodes {\n        ...BoardTile\n      }\n      hasNextPage\n    }\n    closed: workOrders(\n      first: 100\n      filter: { closedFrom: $closedFrom, closedTo: $closedTo, openedFrom: $openedFrom, openedTo: $openedTo }\n    ) @include(if: $withClosed) {\n      nodes {\n        ...BoardTile\n      }\n    }\n  }\n\n  fragment BoardTile on WorkOrder {\n    id\n    number\n    status\n    promisedAt\n    pendingApprovalLines\n    balanceDue\n    total\n    client @skip(if: $skipClient) {\n      displayName\n    }\n    vehicle @skip(if: $skipVehicle) {\n      plate\n      make\n      model\n    }\n    mechanics {\n      id\n      fullName\n    }\n    approvalLinks {\n      state\n      openedAt\n      answer {\n        at\n      }\n    }\n  }\n"): typeof import('./graphql').BoardDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierOrdersToInvoice {\n    workOrders(first: 100, filter: { statuses: [COMPLETED] }) {\n      nodes {\n        id\n        number\n        completedAt\n        total\n        client {\n          id\n          displayName\n        }\n        invoices {\n          id\n          voided\n        }\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').CashierOrdersToInvoiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierDueInvoices($first: Int!) {\n    invoices(dueOnly: true, first: $first) {\n      nodes {\n        id\n        number\n        issuedAt\n        total\n        balanceDue\n        status\n        workOrderNumber\n        client {\n          id\n          displayName\n        }\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').CashierDueInvoicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierInvoice($id: UUID!) {\n    invoice(id: $id) {\n      id\n      version\n      number\n      workOrderId\n      workOrderNumber\n      payerKind\n      payerName\n      payerInn\n      issuedAt\n      total\n      vat\n      paid\n      refunded\n      balanceDue\n      voided\n      voidReason\n      status\n      lines {\n        kind\n        description\n        quantity\n        unitPrice\n        discount\n        amount\n      }\n      payments {\n        id\n        kind\n        amount\n        method\n        reference\n        reason\n        at\n      }\n      client {\n        id\n        displayName\n      }\n    }\n  }\n"): typeof import('./graphql').CashierInvoiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierPaymentMethods {\n    directories(code: \"payment_methods\") {\n      code\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n"): typeof import('./graphql').CashierPaymentMethodsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CashierDebtors {\n    debtors(first: 200) {\n      clientId\n      invoices\n      balanceDue\n      oldestIssuedAt\n      client {\n        id\n        displayName\n      }\n    }\n  }\n"): typeof import('./graphql').CashierDebtorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MechanicFigures($from: DateTime!, $to: DateTime!, $granularity: Granularity!, $mechanicId: UUID) {\n    mechanicFigures(from: $from, to: $to, granularity: $granularity, mechanicId: $mechanicId) {\n      mechanicId\n      employee {\n        id\n        fullName\n      }\n      starts\n      finishedLines\n      outputTenths\n      outputClockedMinutes\n      jobMinutes\n      shiftMinutes\n      efficiencyBasisPoints\n      productivityBasisPoints\n    }\n  }\n"): typeof import('./graphql').MechanicFiguresDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewVisitSearch($text: String!) {\n    search(text: $text, first: 20) {\n      kind\n      id\n      title\n      subtitle\n      rank\n    }\n  }\n"): typeof import('./graphql').NewVisitSearchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewVisitClient($id: UUID!) {\n    client(id: $id) {\n      id\n      kind\n      displayName\n      inn\n      phones\n      archived\n      vehicles {\n        ...NewVisitCar\n      }\n    }\n  }\n"): typeof import('./graphql').NewVisitClientDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewVisitVehicle($id: UUID!) {\n    vehicle(id: $id) {\n      ...NewVisitCar\n      owner {\n        id\n      }\n    }\n  }\n"): typeof import('./graphql').NewVisitVehicleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NewVisitCar on Vehicle {\n    id\n    vin\n    plate\n    make\n    model\n    year\n    mileageKm\n    mileageAt\n  }\n"): typeof import('./graphql').NewVisitCarFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderApprovalLinks($id: UUID!) {\n    workOrder(id: $id) {\n      id\n      approvalLinks {\n        id\n        issuedAt\n        expiresAt\n        openedAt\n        state\n        answer {\n          by\n          address\n          userAgent\n          at\n          approved\n          declined\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').OrderApprovalLinksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderCard($id: UUID!, $withClient: Boolean!, $withContacts: Boolean!, $withVehicle: Boolean!, $withStock: Boolean!) {\n    workOrder(id: $id) {\n      id\n      version\n      number\n      status\n      openedAt\n      acceptedAt\n      approvedAt\n      startedAt\n      completedAt\n      closedAt\n      cancelledAt\n      cancelReason\n      promisedAt\n      pendingApprovalLines\n      labour\n      parts\n      discount\n      total\n      vat\n      vatRateBp\n      client @include(if: $withClient) {\n        id\n        displayName\n        phones @include(if: $withContacts)\n      }\n      vehicle @include(if: $withVehicle) {\n        id\n        plate\n        make\n        model\n        year\n        vin\n      }\n      lines {\n        id\n        ordinal\n        kind\n        description\n        partNumber\n        catalogueServiceId\n        quantity\n        unitPrice\n        discountBp\n        discount\n        amount\n        progress\n        approval\n        approvedBy\n        approvedAt\n        mechanic {\n          id\n          fullName\n        }\n        stock @include(if: $withStock) {\n          partId\n          reserved\n          backordered\n          issued\n        }\n      }\n      intake {\n        mileageKm\n        complaints\n        fuelEighths\n        visibleDamage\n        itemsLeft\n        at\n      }\n      recommendations {\n        id\n        text\n        estimate\n        at\n      }\n    }\n  }\n"): typeof import('./graphql').OrderCardDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderHistory($id: String!, $after: String) {\n    history(kind: WORK_ORDER, id: $id, first: 100, after: $after) {\n      nodes {\n        version\n        summary\n        actor\n        actorName\n        at\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').OrderHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderCatalogue {\n    catalogue {\n      id\n      name\n      category\n      normHours\n    }\n  }\n"): typeof import('./graphql').OrderCatalogueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderStaff {\n    employees {\n      id\n      fullName\n      roles\n    }\n  }\n"): typeof import('./graphql').OrderStaffDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VehicleOrders($vehicleId: UUID!) {\n    workOrders(first: 50, filter: { vehicleId: $vehicleId }) {\n      nodes {\n        id\n        number\n        openedAt\n        recommendations {\n          id\n          text\n          estimate\n          at\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').VehicleOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OwnerEmployees($includeInactive: Boolean!) {\n    employees(includeInactive: $includeInactive) {\n      id\n      fullName\n      position\n      roles\n      active\n      hiredAt\n      email\n      phone\n    }\n  }\n"): typeof import('./graphql').OwnerEmployeesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OwnerRoles {\n    roles {\n      code\n      name\n      permissions\n      archived\n    }\n  }\n"): typeof import('./graphql').OwnerRolesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OwnerSettings {\n    settings {\n      shopName\n      legalName\n      inn\n      kpp\n      ogrn\n      address\n      defaultRate\n      categoryRates {\n        category\n        rate\n      }\n      vatRateBp\n      approvalLinkHours\n      markupDefault {\n        from\n        to\n        markupBp\n      }\n      markupByCategory {\n        category\n        ranges {\n          from\n          to\n          markupBp\n        }\n      }\n      document\n    }\n  }\n"): typeof import('./graphql').OwnerSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OwnerDirectories {\n    directories {\n      code\n      name\n      entries {\n        code\n        name\n        active\n      }\n    }\n  }\n"): typeof import('./graphql').OwnerDirectoriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OwnerCatalogue {\n    catalogue(activeOnly: false) {\n      id\n      name\n      category\n      normHours\n      active\n    }\n  }\n"): typeof import('./graphql').OwnerCatalogueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RolesEditor {\n    permissionCatalogue {\n      code\n      area\n      areaName\n      description\n    }\n    roles {\n      code\n      name\n      permissions\n      archived\n    }\n  }\n"): typeof import('./graphql').RolesEditorDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoleHistory($id: String!, $after: String) {\n    history(kind: ROLE, id: $id, first: 50, after: $after) {\n      nodes {\n        version\n        summary\n        actor\n        actorName\n        at\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').RoleHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlanningPeriod(\n    $from: NaiveDate!\n    $to: NaiveDate!\n    $start: DateTime!\n    $end: DateTime!\n    $withClient: Boolean!\n    $withVehicle: Boolean!\n  ) {\n    capacity(from: $from, to: $to) {\n      ...PlanningDay\n    }\n    appointments(from: $start, to: $end) {\n      id\n      clientId\n      vehicleId\n      wantedAt\n      bayKind\n      mechanicId\n      status\n      loadTenths\n      note\n      cancelReason\n      workOrderId\n      works {\n        name\n        normHoursTenths\n      }\n      client @include(if: $withClient) {\n        id\n        displayName\n      }\n      vehicle @include(if: $withVehicle) {\n        id\n        plate\n        vin\n        make\n        model\n      }\n      mechanic {\n        id\n        fullName\n      }\n    }\n  }\n"): typeof import('./graphql').PlanningPeriodDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlanningDay on DayPlan {\n    date\n    closed\n    overloaded\n    mechanics {\n      employeeId\n      capacityTenths\n      carryoverTenths\n      bookedTenths\n      freeTenths\n      overloaded\n      employee {\n        id\n        fullName\n      }\n    }\n    bays {\n      kind\n      capacityTenths\n      bookedTenths\n      freeTenths\n      overloaded\n    }\n    totals {\n      capacityTenths\n      carryoverTenths\n      bookedTenths\n      freeTenths\n    }\n  }\n"): typeof import('./graphql').PlanningDayFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlanningCapacity($from: NaiveDate!, $to: NaiveDate!) {\n    capacity(from: $from, to: $to) {\n      ...PlanningDay\n    }\n  }\n"): typeof import('./graphql').PlanningCapacityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlanningBays {\n    bays {\n      id\n      name\n      kind\n      active\n    }\n  }\n"): typeof import('./graphql').PlanningBaysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlanningCatalogue {\n    catalogue {\n      id\n      name\n      normHours\n    }\n  }\n"): typeof import('./graphql').PlanningCatalogueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyJobs($withVehicle: Boolean!) {\n    mechanicQueue {\n      employeeId\n      clock {\n        onShiftSince\n        running {\n          workOrderId\n          lineId\n          since\n        }\n        paused {\n          workOrderId\n          lineId\n        }\n      }\n      jobs {\n        workOrderId\n        number\n        status\n        promisedAt\n        lineId\n        description\n        normHoursTenths\n        progress\n        running\n        paused\n        clockedSeconds\n        runningSince\n        vehicle @include(if: $withVehicle) {\n          id\n          plate\n          vin\n          make\n          model\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').MyJobsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RevenueReport($from: DateTime!, $to: DateTime!, $granularity: Granularity!) {\n    revenue(from: $from, to: $to, granularity: $granularity) {\n      starts\n      invoices\n      revenue\n    }\n  }\n"): typeof import('./graphql').RevenueReportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PeriodSummary($from: DateTime!, $to: DateTime!) {\n    averageRepairOrder(from: $from, to: $to) {\n      invoices\n      revenue\n      average\n    }\n    carCount(from: $from, to: $to) {\n      orders\n      cars\n    }\n    recommendationConversion(from: $from, to: $to) {\n      recommendations\n      converted\n      rateBasisPoints\n    }\n  }\n"): typeof import('./graphql').PeriodSummaryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MechanicProductivity($from: DateTime!, $to: DateTime!) {\n    mechanicProductivity(from: $from, to: $to) {\n      mechanicId\n      lines\n      normHoursTenths\n      amount\n    }\n  }\n"): typeof import('./graphql').MechanicProductivityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReportEmployees {\n    employees(includeInactive: true) {\n      id\n      fullName\n    }\n  }\n"): typeof import('./graphql').ReportEmployeesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopItems($from: DateTime!, $to: DateTime!, $kind: ItemKind!, $first: Int) {\n    topItems(from: $from, to: $to, kind: $kind, first: $first) {\n      description\n      lines\n      quantity\n      amount\n    }\n  }\n"): typeof import('./graphql').TopItemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReceivablesAging($asOf: DateTime) {\n    receivablesAging(asOf: $asOf) {\n      age\n      invoices\n      owed\n    }\n  }\n"): typeof import('./graphql').ReceivablesAgingDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockLevels($first: Int!, $filter: StockFilter) {\n    stockLevels(first: $first, filter: $filter) {\n      nodes {\n        partId\n        location\n        number\n        brand\n        name\n        unit\n        onHand\n        reserved\n        onOrder\n        backordered\n        available\n        reorderMin\n        reorderMax\n        belowMin\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockLevelsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockPartsToOrder {\n    partsToOrder(first: 100) {\n      nodes {\n        partId\n        number\n        brand\n        name\n        unit\n        available\n        onOrder\n        backordered\n        toOrder\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockPartsToOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockParts($first: Int!, $search: String, $withStock: Boolean!) {\n    parts(first: $first, search: $search) {\n      nodes {\n        id\n        version\n        number\n        brand\n        name\n        unit\n        category\n        active\n        reorderMin\n        reorderMax\n        onHand @include(if: $withStock)\n        available @include(if: $withStock)\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockPartsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockSuppliers {\n    suppliers {\n      id\n      legalName\n      inn\n      phone\n      paymentTermsDays\n    }\n  }\n"): typeof import('./graphql').StockSuppliersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockPurchaseOrders($first: Int!, $withCosts: Boolean!) {\n    purchaseOrders(first: $first) {\n      nodes {\n        id\n        number\n        status\n        supplierId\n        supplierName\n        draftedAt\n        total @include(if: $withCosts)\n      }\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockPurchaseOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockPurchaseOrder($id: UUID!, $withCosts: Boolean!) {\n    purchaseOrder(id: $id) {\n      id\n      version\n      number\n      status\n      supplierName\n      sentAt\n      total @include(if: $withCosts)\n      lines {\n        id\n        ordinal\n        partId\n        number\n        name\n        quantity\n        received\n        outstanding\n        unitPrice @include(if: $withCosts)\n        amount @include(if: $withCosts)\n      }\n    }\n  }\n"): typeof import('./graphql').StockPurchaseOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockPartHeader($id: UUID!) {\n    part(id: $id) {\n      id\n      number\n      brand\n      name\n      unit\n    }\n  }\n"): typeof import('./graphql').StockPartHeaderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockMovements($partId: UUID!, $first: Int!, $after: String) {\n    stockMovements(partId: $partId, first: $first, after: $after) {\n      nodes {\n        location\n        kind\n        at\n        quantity\n        counted\n        onHandDelta\n        reservedDelta\n        onOrderDelta\n        workOrderId\n        purchaseOrderId\n        receiptId\n        countId\n        reason\n        by {\n          id\n          fullName\n        }\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockMovementsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MarginLine on MarginLine {\n    workOrderId\n    lineId\n    workOrderNumber\n    partId\n    partNumber\n    name\n    orderedQuantity\n    billedQuantity\n    billedAmount\n    issuedQuantity\n    issuedCost\n    at\n    issuedNotBilled\n    billedNotIssued\n    belowCost\n  }\n"): typeof import('./graphql').MarginLineFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockMarginReport($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!) {\n    marginSummary(from: $from, to: $to) {\n      bought\n      issuedCost\n      billedAmount\n      margin\n      lines\n      issuedNotBilled\n      billedNotIssued\n      belowCost\n    }\n    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first) {\n      nodes {\n        ...MarginLine\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockMarginReportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StockMarginLeaks($from: DateTime!, $to: DateTime!, $kinds: [MarginLeak!], $first: Int!, $after: String) {\n    marginLeaks(from: $from, to: $to, kinds: $kinds, first: $first, after: $after) {\n      nodes {\n        ...MarginLine\n      }\n      endCursor\n      hasNextPage\n    }\n  }\n"): typeof import('./graphql').StockMarginLeaksDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
