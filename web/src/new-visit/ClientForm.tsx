/**
 * A new client, inline: a person (full name) or a company (name, INN, KPP), phones and e-mail.
 * The domain validates; its refusals land beside the input they name.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { focusFirstInvalid, TextInput } from './FormField.tsx';
import { Attempts, NO_ERRORS, placeError, type Field, type FormErrors } from './logic.ts';
import { text } from './text.ts';

const FIELDS: Field[] = ['fullName', 'legalName', 'inn', 'kpp', 'phone', 'phone2', 'email'];

interface Props {
  /** What was typed in the search box: a phone goes to the phone, words to the name. */
  prefill: string;
  onCreated: (clientId: string) => void;
  onCancel: () => void;
}

export function ClientForm({ prefill, onCreated, onCancel }: Props) {
  const looksLikePhone = /^[+\d\s\-()]{5,}$/.test(prefill.trim());
  const [kind, setKind] = useState<'person' | 'company'>('person');
  const [fullName, setFullName] = useState(looksLikePhone ? '' : prefill.trim());
  const [legalName, setLegalName] = useState('');
  const [inn, setInn] = useState('');
  const [kpp, setKpp] = useState('');
  const [phone, setPhone] = useState(looksLikePhone ? prefill.trim() : '');
  const [phone2, setPhone2] = useState('');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  // One id for this client whatever the attempts: a refused register appends nothing.
  const [clientId] = useState(newId);
  const attempts = useRef(new Attempts());
  const formRef = useRef<HTMLFormElement>(null);
  const firstRef = useRef<HTMLInputElement>(null);

  useEffect(() => firstRef.current?.focus(), [kind]);
  useEffect(() => focusFirstInvalid(formRef.current), [errors]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const party =
      kind === 'person'
        ? ({ kind: 'person', full_name: fullName } as const)
        : ({ kind: 'company', legal_name: legalName, inn, kpp: kpp.trim() === '' ? null : kpp } as const);
    const body = {
      party,
      phones: [phone, phone2].filter((p) => p.trim() !== ''),
      email: email.trim() === '' ? null : email,
    };
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await send('client', clientId, 'register', body, {
        idempotencyKey: attempts.current.keyFor(`client/${clientId}/register`, body),
      });
      onCreated(clientId);
    } catch (caught) {
      setBusy(false);
      if (caught instanceof ApiError && caught.code === 'already_exists') {
        // Registered by an earlier attempt whose answer was lost: it is there.
        onCreated(clientId);
        return;
      }
      setErrors(
        caught instanceof ApiError
          ? placeError(caught, FIELDS, { phone, phone2 })
          : { fields: {}, form: text.unknownError },
      );
    }
  }

  const f = errors.fields;
  return (
    <form ref={formRef} className="card stack nv-form" onSubmit={submit} aria-labelledby="nv-client-form-title" noValidate>
      <h2 id="nv-client-form-title">{text.clientForm.heading}</h2>
      {errors.form && (
        <p className="error" role="alert">
          {errors.form}
        </p>
      )}
      <fieldset className="nv-kind">
        <legend>{text.client.kindLegend}</legend>
        <label className="nv-radio">
          <input type="radio" name="nv-client-kind" checked={kind === 'person'} onChange={() => setKind('person')} />
          {text.client.person}
        </label>
        <label className="nv-radio">
          <input type="radio" name="nv-client-kind" checked={kind === 'company'} onChange={() => setKind('company')} />
          {text.client.company}
        </label>
      </fieldset>
      {kind === 'person' ? (
        <TextInput
          ref={firstRef}
          id="nv-full-name"
          label={text.clientForm.fullName}
          autoComplete="off"
          value={fullName}
          onChange={(e) => setFullName(e.target.value)}
          error={f.fullName}
        />
      ) : (
        <>
          <TextInput
            ref={firstRef}
            id="nv-legal-name"
            label={text.clientForm.legalName}
            autoComplete="off"
            value={legalName}
            onChange={(e) => setLegalName(e.target.value)}
            error={f.legalName}
          />
          <div className="row">
            <TextInput
              id="nv-inn"
              label={text.clientForm.inn}
              inputMode="numeric"
              autoComplete="off"
              value={inn}
              onChange={(e) => setInn(e.target.value)}
              error={f.inn}
            />
            <TextInput
              id="nv-kpp"
              label={text.clientForm.kpp}
              hint={text.clientForm.kppHint}
              autoComplete="off"
              value={kpp}
              onChange={(e) => setKpp(e.target.value)}
              error={f.kpp}
            />
          </div>
        </>
      )}
      <div className="row">
        <TextInput
          id="nv-phone"
          label={text.clientForm.phone}
          hint={text.clientForm.phoneHint}
          type="tel"
          autoComplete="off"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          error={f.phone}
        />
        <TextInput
          id="nv-phone2"
          label={text.clientForm.phone2}
          type="tel"
          autoComplete="off"
          value={phone2}
          onChange={(e) => setPhone2(e.target.value)}
          error={f.phone2}
        />
      </div>
      <TextInput
        id="nv-email"
        label={text.clientForm.email}
        type="email"
        autoComplete="off"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={f.email}
      />
      <div className="row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? text.clientForm.submitting : text.clientForm.submit}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {text.clientForm.cancel}
        </button>
      </div>
    </form>
  );
}
