'use client';

// Owners invite people by email with a role. With mail configured the invitation goes out by mail;
// without, the link is shown here to copy and pass on. Pending invitations can be withdrawn.
import {
  createInvitationResponse,
  type InvitationView,
  listInvitationsResponse,
  messageResponse,
} from '@cove/shared/contracts/api';
import { memberRoles } from '@cove/shared/db/schema/identity';
import { type FormEvent, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { CopyField } from './copy-field';
import { Field } from './field';

export function InvitationsPanel({
  initialInvitations,
  isMailConfigured,
}: {
  initialInvitations: InvitationView[];
  isMailConfigured: boolean;
}) {
  const [invitations, setInvitations] = useState(initialInvitations);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [link, setLink] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function reload() {
    const result = await apiRequest('/workspace/invitations', listInvitationsResponse);
    if (result.ok) setInvitations(result.data.invitations);
  }

  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    const result = await apiRequest('/workspace/invitations', createInvitationResponse, {
      method: 'POST',
      body: { email: String(data.get('invite-email') ?? ''), role: String(data.get('invite-role') ?? '') },
    });
    setBusy(false);
    if (!result.ok) {
      setFields({ 'invite-email': result.fields.email ?? '', 'invite-role': result.fields.role ?? '' });
      setNotice(Object.keys(result.fields).length > 0 ? null : { text: result.message, isError: true });
      return;
    }
    form.reset();
    setFields({});
    setLink(result.data.link);
    setNotice({ text: result.data.message, isError: false });
    await reload();
  }

  async function revoke(invitation: InvitationView) {
    const result = await apiRequest(`/workspace/invitations/${invitation.id}`, messageResponse, {
      method: 'DELETE',
    });
    setNotice(
      result.ok ? { text: result.data.message, isError: false } : { text: result.message, isError: true },
    );
    await reload();
  }

  return (
    <section className="card" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invite people</h2>
      {isMailConfigured ? null : (
        <p className="hint">No mail is configured on this Cove: you get a link to pass on yourself.</p>
      )}
      <form className="form" onSubmit={invite} noValidate>
        <Field
          id="invite-email"
          label="Email"
          type="email"
          required
          error={fields['invite-email'] || undefined}
        />
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" name="invite-role" defaultValue="developer">
            {memberRoles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
          <p className="hint">
            Viewers open the apps and see their status; developers also change apps, deployments and secrets;
            owners also manage members.
          </p>
        </div>
        <button type="submit" className="primary" disabled={isBusy}>
          Invite
        </button>
      </form>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role={notice.isError ? 'alert' : 'status'}>
          {notice.text}
        </p>
      ) : null}
      {link ? <CopyField id="invite-link-value" label="Invite link" value={link} /> : null}
      <h3>Pending invitations</h3>
      {invitations.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="members">
          <tbody>
            {invitations.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>{invitation.role}</td>
                <td>until {new Date(invitation.expiresAt).toLocaleDateString()}</td>
                <td>
                  <button type="button" onClick={() => revoke(invitation)}>
                    Withdraw
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
