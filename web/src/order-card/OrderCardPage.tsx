/**
 * Заказ-наряд as the advisor works it: the head, the intake act, the lines with the client's
 * decisions, the totals as the server computed them, recommendations, the lifecycle's buttons and
 * the history. Each section hides what the role cannot do; the command API still decides.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/errors.ts';
import { can, useMe } from '../auth/me.ts';
import { OrderAttachments } from '../files/AttachmentsPanel.tsx';
import { linesEditable } from '../work-order/lifecycle.ts';
import { Approval } from './Approval.tsx';
import { ApprovalLinkPanel } from './ApprovalLinkPanel.tsx';
import { Header } from './Header.tsx';
import { Intake } from './Intake.tsx';
import { Lifecycle } from './Lifecycle.tsx';
import { Lines } from './Lines.tsx';
import { Messages } from './Messages.tsx';
import { History, Recommendations, Totals } from './Sections.tsx';
import { text } from './text.ts';
import type { Section } from './ui.tsx';
import { cardQuery, cardVariables, useOrderCommands } from './useOrderCard.ts';

export function OrderCardPage() {
  const { orderId = '' } = useParams();
  const me = useMe();
  const variables = cardVariables(orderId, me.data?.me);
  const card = useQuery({ ...cardQuery(variables), enabled: me.data !== undefined && orderId !== '' });
  const order = card.data?.workOrder ?? undefined;
  const { run, conflict, dismissConflict } = useOrderCommands(variables, order);

  if (card.isPending) {
    return (
      <p className="page-status" role="status">
        {text.loading}
      </p>
    );
  }
  if (card.error) {
    return (
      <div className="page-status stack">
        <p className="error" role="alert">
          {card.error instanceof ApiError ? card.error.messageRu : String(card.error)}
        </p>
        <div>
          <button type="button" className="button" onClick={() => void card.refetch()}>
            {text.retry}
          </button>
        </div>
      </div>
    );
  }
  if (!order || !me.data) {
    return (
      <p className="page-status" role="alert">
        {text.notFound}
      </p>
    );
  }

  const section: Section = { order, me: me.data.me, run };
  const mine = me.data.me;
  const approvals = linesEditable(order.status) && can(mine, 'work_order.record_approval') && order.pendingApprovalLines > 0;
  return (
    <article className="order-card stack" data-card-ready="" aria-labelledby="order-card-title">
      <nav aria-label={text.backToBoard}>
        <Link to="/board">← {text.backToBoard}</Link>
      </nav>
      <div aria-live="polite" role="status" className="order-card__live">
        {conflict && (
          <p className="notice order-card__conflict">
            {text.conflict}{' '}
            <button type="button" className="button button--small button--ghost" onClick={dismissConflict}>
              {text.lifecycle.close}
            </button>
          </p>
        )}
      </div>
      <Header {...section} />
      <div className="order-card__grid">
        <div className="stack">
          <Intake {...section} />
          <OrderAttachments
            orderId={order.id}
            canAttach={can(mine, 'file.attach') && order.status !== 'closed' && order.status !== 'cancelled'}
            canDetach={can(mine, 'file.detach')}
            purpose={order.status === 'draft' || order.status === 'accepted' ? 'intake_damage' : 'inspection'}
          />
          <Lines {...section} />
          {approvals && <Approval {...section} />}
          <ApprovalLinkPanel {...section} />
          <Recommendations {...section} />
        </div>
        <div className="stack order-card__side">
          <Totals {...section} />
          <Lifecycle {...section} />
          {/* The client's messages are the front desk's business, not the bay's. */}
          {can(mine, 'client.read') && <Messages {...section} />}
          {can(mine, 'history.read') && <History {...section} />}
        </div>
      </div>
    </article>
  );
}
