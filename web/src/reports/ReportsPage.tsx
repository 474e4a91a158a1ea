/**
 * The reports' route. The screen and its chart library load only when the owner opens it, so the
 * front desk's bundle does not carry the charts.
 */
import { lazy, Suspense } from 'react';
import { text } from './text.ts';

const ReportsScreen = lazy(async () => ({ default: (await import('./ReportsScreen.tsx')).ReportsScreen }));

export function ReportsPage() {
  return (
    <Suspense
      fallback={
        <p className="muted" role="status">
          {text.loading}
        </p>
      }
    >
      <ReportsScreen />
    </Suspense>
  );
}
