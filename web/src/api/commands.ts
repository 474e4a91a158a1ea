/**
 * Commands, typed from the command API's own OpenAPI document (`schema/openapi.json`, printed by
 * `motorlog-command-api openapi`; `npm run codegen` turns it into `generated/openapi.ts`). The
 * aggregate and the command name pick the body's type, so a body the API would refuse as malformed
 * does not compile.
 */
import type { components } from './generated/openapi.ts';
import { call } from './http.ts';
import { wrote } from './session.ts';

type Schemas = components['schemas'];

/** Each aggregate segment of `POST /v1/{aggregate}/{id}/{command}` and its bodies. */
export interface Bodies {
  client: Schemas['ClientRequest'];
  vehicle: Schemas['VehicleRequest'];
  work_order: Schemas['WorkOrderRequest'];
  invoice: Schemas['InvoiceRequest'];
  catalogue_service: Schemas['CatalogueRequest'];
  directory: Schemas['DirectoryRequest'];
  role: Schemas['RoleRequest'];
  staff: Schemas['StaffRequest'];
  settings: Schemas['SettingsRequest'];
  part: Schemas['PartRequest'];
  supplier: Schemas['SupplierRequest'];
  purchase_order: Schemas['PurchaseOrderRequest'];
  stock: Schemas['StockRequest'];
  appointment: Schemas['AppointmentRequest'];
  bay: Schemas['BayRequest'];
  work_schedule: Schemas['WorkScheduleRequest'];
  shop_calendar: Schemas['ShopCalendarRequest'];
  timesheet: Schemas['TimesheetRequest'];
  attachment: Schemas['AttachmentRequest'];
}
export type Aggregate = keyof Bodies;
export type CommandName<A extends Aggregate> = Bodies[A]['command'];
/** The body of one command, without `command` (the path carries it). */
export type CommandBody<A extends Aggregate, C extends CommandName<A>> = Omit<
  Extract<Bodies[A], { command: C }>,
  'command'
>;
export type Accepted = Schemas['Accepted'];

export interface SendOptions {
  /** The version the user saw: a change by someone else since then is refused (412). */
  ifMatch?: number;
  /** Defaults to a new key per call: a retried request is answered once. */
  idempotencyKey?: string;
}

export const COMMAND_BASE = '/api/v1';

/** Sends one command; its log position is remembered so the next reads include its effect. */
export async function send<A extends Aggregate, C extends CommandName<A>>(
  aggregate: A,
  id: string,
  command: C,
  body: CommandBody<A, C>,
  options: SendOptions = {},
): Promise<Accepted> {
  const headers: Record<string, string> = {
    'Idempotency-Key': options.idempotencyKey ?? crypto.randomUUID(),
  };
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
  const answer = await call<Accepted>(`${COMMAND_BASE}/${aggregate}/${encodeURIComponent(id)}/${String(command)}`, {
    method: 'POST',
    body,
    headers,
  });
  wrote(answer.body.position);
  return answer.body;
}

/** A new record's id: UUID v7 like the services' own, so ids sort by creation. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let time = BigInt(Date.now());
  for (let i = 5; i >= 0; i--) {
    bytes[i] = Number(time & 0xffn);
    time >>= 8n;
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
