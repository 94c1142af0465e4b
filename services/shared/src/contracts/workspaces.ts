// The API's shapes for teams: members and roles, invitations, the workspaces a person belongs to,
// and the workspace's limits and usage. Re-exported by contracts/api.ts.
import { z } from 'zod';
import { memberRoles } from '../db/schema/identity';

const memberRole = z.enum(memberRoles, { error: 'Choose a role: owner, developer or viewer.' });

export const memberView = z.object({
  userId: z.uuid(),
  email: z.string(),
  role: z.enum(memberRoles),
  joinedAt: z.iso.datetime(),
});
export type MemberView = z.infer<typeof memberView>;

export const listMembersResponse = z.object({ members: z.array(memberView) });

export const updateMemberRequest = z.object({ role: memberRole }).strict();

export const invitationView = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(memberRoles),
  invitedBy: z.string().nullable().describe("The inviting member's email, if they still have an account."),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
});
export type InvitationView = z.infer<typeof invitationView>;

export const listInvitationsResponse = z.object({
  invitations: z.array(invitationView).describe('Pending invitations: not accepted, revoked or expired.'),
  isMailConfigured: z.boolean().describe('Whether Cove sends invitations by mail (COVE_SMTP_URL).'),
});

export const createInvitationRequest = z
  .object({
    email: z
      .string({ error: 'Enter the email address to invite.' })
      .trim()
      .toLowerCase()
      .pipe(z.email('Enter a valid email address.')),
    role: memberRole.default('developer'),
  })
  .strict();
export type CreateInvitationRequest = z.infer<typeof createInvitationRequest>;

export const createInvitationResponse = z.object({
  invitation: invitationView,
  isMailSent: z.boolean(),
  link: z
    .url()
    .nullable()
    .describe('The invite link to pass on yourself; null when it went out by mail (it works once).'),
  message: z.string().describe('What happened, in plain words.'),
});
export type CreateInvitationResponse = z.infer<typeof createInvitationResponse>;

export const invitationStates = ['pending', 'accepted', 'revoked', 'expired'] as const;

/** What the invite page shows to whoever holds the link. */
export const invitationPreview = z.object({
  workspaceName: z.string(),
  email: z.string(),
  role: z.enum(memberRoles),
  state: z.enum(invitationStates),
  expiresAt: z.iso.datetime(),
});
export type InvitationPreview = z.infer<typeof invitationPreview>;

export const workspaceMembershipView = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(memberRoles),
  isCurrent: z.boolean().describe('The workspace this session or token acts in.'),
});
export type WorkspaceMembershipView = z.infer<typeof workspaceMembershipView>;

export const listWorkspacesResponse = z.object({ workspaces: z.array(workspaceMembershipView) });

export const acceptInvitationResponse = z.object({
  workspace: workspaceMembershipView,
  message: z.string(),
});

export const switchWorkspaceRequest = z
  .object({ workspaceId: z.uuid({ error: 'Give the id of the workspace to switch to.' }) })
  .strict();

export const renameWorkspaceRequest = z
  .object({
    name: z
      .string({ error: 'Give the workspace a name.' })
      .trim()
      .min(1, 'Give the workspace a name.')
      .max(60, 'A workspace name has at most 60 characters.')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'A workspace name is one line of text.'),
  })
  .strict();
export type RenameWorkspaceRequest = z.infer<typeof renameWorkspaceRequest>;

export const workspaceView = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(memberRoles).describe("The caller's role."),
  limits: z
    .object({
      maxApps: z.number().int(),
      maxRunningApps: z.number().int(),
      maxMemoryMb: z.number().int(),
    })
    .describe("Set by the operator; the platform's defaults unless this workspace has its own."),
  usage: z.object({
    apps: z.number().int(),
    runningApps: z.number().int().describe('Apps running, deploying or waking.'),
    memoryMb: z
      .number()
      .int()
      .describe("The awake apps' memory limits added up (sleeping apps hold none and do not count)."),
  }),
});
export type WorkspaceView = z.infer<typeof workspaceView>;
