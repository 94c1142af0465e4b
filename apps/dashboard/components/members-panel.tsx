'use client';

// The members of the workspace. Owners change roles and remove members; everyone may leave, except
// the only owner, who may neither leave nor step down (a workspace keeps one owner). The API
// refuses what may not be done; the controls only hide what would be refused.
import { type MemberView, memberView, messageResponse } from '@cove/shared/contracts/api';
import { type MemberRole, memberRoles } from '@cove/shared/db/schema/identity';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { ConfirmButton } from './confirm-button';

export function MembersPanel({
  initialMembers,
  currentUserId,
  role,
}: {
  initialMembers: MemberView[];
  currentUserId: string;
  role: MemberRole;
}) {
  const [members, setMembers] = useState(initialMembers);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const [busyUserId, setBusyUserId] = useState<string | null>(null);
  const isOwner = role === 'owner';
  const ownerCount = members.filter((member) => member.role === 'owner').length;

  async function changeRole(member: MemberView, newRole: MemberRole) {
    setBusyUserId(member.userId);
    const result = await apiRequest(`/workspace/members/${member.userId}`, memberView, {
      method: 'PATCH',
      body: { role: newRole },
    });
    setBusyUserId(null);
    if (!result.ok) {
      setNotice({ text: result.message, isError: true });
      return;
    }
    setMembers((current) => current.map((row) => (row.userId === member.userId ? result.data : row)));
    setNotice({ text: `${member.email} is now ${newRole}.`, isError: false });
    if (member.userId === currentUserId) window.location.reload();
  }

  /** Leaves or removes, once confirmed; the refusal, if any, is shown in the dialog. */
  async function remove(member: MemberView): Promise<string | null> {
    const isLeaving = member.userId === currentUserId;
    setBusyUserId(member.userId);
    const result = await apiRequest(`/workspace/members/${member.userId}`, messageResponse, {
      method: 'DELETE',
    });
    setBusyUserId(null);
    if (!result.ok) return result.message;
    if (isLeaving) {
      window.location.assign('/apps');
      return null;
    }
    setMembers((current) => current.filter((row) => row.userId !== member.userId));
    setNotice({ text: result.data.message, isError: false });
    return null;
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role={notice.isError ? 'alert' : 'status'}>
          {notice.text}
        </p>
      ) : null}
      <table className="members">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => {
            const isSelf = member.userId === currentUserId;
            const isBusy = busyUserId === member.userId;
            const isOnlyOwner = member.role === 'owner' && ownerCount === 1;
            return (
              <tr key={member.userId}>
                <td>
                  {member.email} {isSelf ? <span className="muted">(you)</span> : null}
                </td>
                <td>
                  {isOwner && !isOnlyOwner ? (
                    <select
                      aria-label={`Role of ${member.email}`}
                      value={member.role}
                      disabled={isBusy}
                      onChange={(event) => {
                        const next = memberRoles.find((value) => value === event.currentTarget.value);
                        if (next) void changeRole(member, next);
                      }}
                    >
                      {memberRoles.map((value) => (
                        <option key={value} value={value}>
                          {value}
                        </option>
                      ))}
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td>{new Date(member.joinedAt).toLocaleDateString()}</td>
                <td>
                  {isSelf && isOnlyOwner ? (
                    <span className="muted" data-testid="only-owner-note">
                      You are the only owner: make another member an owner before you leave or step down.
                    </span>
                  ) : isSelf ? (
                    <ConfirmButton
                      label="Leave workspace"
                      title="Leave this workspace?"
                      text="You lose access to its apps until someone invites you again."
                      confirmLabel="Leave"
                      isDisabled={isBusy}
                      onConfirm={() => remove(member)}
                    />
                  ) : isOwner ? (
                    <ConfirmButton
                      label="Remove"
                      title={`Remove ${member.email}?`}
                      text="They lose access to the workspace's apps at once, and their open tabs of private apps close."
                      confirmLabel="Remove"
                      isDisabled={isBusy}
                      onConfirm={() => remove(member)}
                    />
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
