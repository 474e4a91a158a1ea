/**
 * Plates and phones as the shop writes them. The services keep one canonical form (a plate in
 * Cyrillic capitals, «А123ВС77»; a phone in E.164, «+79161112233»); these only space them out.
 */

/** «А 123 ВС 77» for an ordinary Russian plate; any other plate as stored. */
export function formatPlate(plate: string | null | undefined): string {
  if (!plate) return '—';
  const match = /^([АВЕКМНОРСТУХ])(\d{3})([АВЕКМНОРСТУХ]{2})(\d{2,3})$/u.exec(plate);
  return match ? `${match[1]} ${match[2]} ${match[3]} ${match[4]}` : plate;
}

/** «+7 916 111-22-33» for a Russian number; others as stored. */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '—';
  const match = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(phone);
  return match ? `+7 ${match[1]} ${match[2]}-${match[3]}-${match[4]}` : phone;
}

/** The last characters of a VIN, as a mechanic reads them off the glass. */
export function vinTail(vin: string | null | undefined, length = 6): string {
  return vin ? vin.slice(-length) : '—';
}
