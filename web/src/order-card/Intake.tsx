/** The intake act: a form while the car is not yet received, read-only after. */
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { newId } from '../api/commands.ts';
import { query } from '../api/graphql.ts';
import { can } from '../auth/me.ts';
import { formatDate, formatDateTime } from '../format/dates.ts';
import { formatMoney } from '../format/money.ts';
import { linesEditable } from '../work-order/lifecycle.ts';
import { earlierRecommendations, listFromLines, parseKm } from './logic.ts';
import { VehicleOrdersDocument } from './queries.ts';
import { text } from './text.ts';
import { Field, FormError, useAction, type Section } from './ui.tsx';

export function Intake(props: Section) {
  const { order, me } = props;
  const t = text.intake;
  const showForm = order.status === 'draft' && can(me, 'work_order.accept_vehicle');
  return (
    <section className="card stack" aria-labelledby="intake-title">
      <h2 id="intake-title">{t.title}</h2>
      {showForm ? <IntakeForm {...props} /> : <IntakeAct {...props} />}
      {linesEditable(order.status) && can(me, 'work_order.edit_lines') && order.vehicle && <Earlier {...props} />}
    </section>
  );
}

function IntakeAct({ order }: Section) {
  const t = text.intake;
  const intake = order.intake;
  if (!intake) return <p className="muted">{t.notYet}</p>;
  const list = (items: readonly string[]) => (items.length === 0 ? t.none : items.join('; '));
  return (
    <dl className="order-card__intake">
      <div>
        <dt>{t.receivedAt}</dt>
        <dd>{formatDateTime(intake.at)}</dd>
      </div>
      <div>
        <dt>{t.mileage}</dt>
        <dd>{intake.mileageKm.toLocaleString('ru-RU')}</dd>
      </div>
      <div>
        <dt>{t.fuel}</dt>
        <dd>{t.fuelOption(intake.fuelEighths)}</dd>
      </div>
      <div className="order-card__wide">
        <dt>{t.complaints}</dt>
        <dd>{intake.complaints}</dd>
      </div>
      <div>
        <dt>{t.damageShort}</dt>
        <dd>{list(intake.visibleDamage)}</dd>
      </div>
      <div>
        <dt>{t.itemsLeftShort}</dt>
        <dd>{list(intake.itemsLeft)}</dd>
      </div>
    </dl>
  );
}

function IntakeForm({ run }: Section) {
  const t = text.intake;
  const [mileage, setMileage] = useState('');
  const [complaints, setComplaints] = useState('');
  const [fuel, setFuel] = useState('4');
  const [damage, setDamage] = useState('');
  const [items, setItems] = useState('');
  const [errors, setErrors] = useState<{ mileage?: string; complaints?: string }>({});
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const km = parseKm(mileage);
    const found: typeof errors = {};
    if (km === null) found.mileage = t.mileageInvalid;
    if (complaints.trim() === '') found.complaints = t.complaintsRequired;
    setErrors(found);
    if (km === null || found.complaints) return;
    await action.act(() =>
      run('accept_vehicle', {
        mileage_km: km,
        complaints: complaints.trim(),
        fuel_eighths: Number(fuel),
        visible_damage: listFromLines(damage),
        items_left: listFromLines(items),
      }),
    );
  }

  return (
    <form className="stack" onSubmit={submit} aria-label={t.title} noValidate>
      <div className="row">
        <Field label={t.mileage} error={errors.mileage}>
          {(p) => <input {...p} inputMode="numeric" value={mileage} onChange={(e) => setMileage(e.target.value)} />}
        </Field>
        <Field label={t.fuel}>
          {(p) => (
            <select {...p} value={fuel} onChange={(e) => setFuel(e.target.value)}>
              {Array.from({ length: 9 }, (_, n) => (
                <option key={n} value={n}>
                  {t.fuelOption(n)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label={t.complaints} error={errors.complaints}>
        {(p) => <textarea {...p} value={complaints} onChange={(e) => setComplaints(e.target.value)} />}
      </Field>
      <div className="order-card__two">
        <Field label={t.damage}>{(p) => <textarea {...p} value={damage} onChange={(e) => setDamage(e.target.value)} />}</Field>
        <Field label={t.itemsLeft}>{(p) => <textarea {...p} value={items} onChange={(e) => setItems(e.target.value)} />}</Field>
      </div>
      <FormError error={action.error} />
      <div>
        <button type="submit" className="button button--primary" disabled={action.busy}>
          {t.submit}
        </button>
      </div>
    </form>
  );
}

/**
 * A recommendation becomes a free-text labour line of one norm-hour (the command API needs the
 * hours for free text; the advisor corrects them on the line).
 */
const RECOMMENDATION_TENTHS = 10;

/** Recommendations from the car's earlier orders, each one click from a labour line. */
function Earlier({ order, run }: Section) {
  const t = text.earlier;
  const vehicleId = order.vehicle?.id ?? '';
  const orders = useQuery({
    queryKey: ['vehicle-orders', vehicleId],
    queryFn: () => query(VehicleOrdersDocument, { vehicleId }),
    enabled: vehicleId !== '',
  });
  const [added, setAdded] = useState<ReadonlySet<string>>(new Set());
  const action = useAction();
  if (!orders.data) return null;
  const offered = earlierRecommendations(orders.data.workOrders.nodes, order.id, order.lines).filter(
    (r) => !added.has(r.id),
  );

  async function add(id: string, what: string) {
    if (await action.act(() => run('add_labour_line', { line_id: newId(), name: what, norm_hours_tenths: RECOMMENDATION_TENTHS }))) {
      setAdded((before) => new Set(before).add(id));
    }
  }

  return (
    <div className="stack" role="group" aria-labelledby="earlier-title">
      <h3 id="earlier-title">{t.title}</h3>
      {offered.length === 0 ? (
        <p className="muted">{t.none}</p>
      ) : (
        <ul className="order-card__earlier">
          {offered.map((r) => (
            <li key={r.id}>
              <span>
                {r.text}
                {r.estimate && <span className="muted"> · {text.recommendations.estimate(formatMoney(r.estimate))}</span>}
                <span className="muted">
                  {' '}
                  · {t.from(r.orderNumber)}, {formatDate(r.at)}
                </span>
              </span>
              <button
                type="button"
                className="button button--small"
                aria-label={t.addLabel(r.text)}
                disabled={action.busy}
                onClick={() => void add(r.id, r.text)}
              >
                {t.add}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={action.error} />
    </div>
  );
}
