/** The three figures' exact definitions, where they are shown (the issue asks for them in the UI). */
import { text } from './text.ts';
import './figures.css';

export function Definitions({ id }: { id?: string }) {
  return (
    <section className="card stack" aria-labelledby={id ?? 'figures-definitions'}>
      <h2 id={id ?? 'figures-definitions'}>{text.definitions}</h2>
      <dl className="figures-definitions">
        {(['output', 'efficiency', 'productivity'] as const).map((key) => (
          <div key={key}>
            <dt>{text.defined[key][0]}</dt>
            <dd>{text.defined[key][1]}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
