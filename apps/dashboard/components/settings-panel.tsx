'use client';

import { type AppView, type UpdateAppRequest, updateAppResponse } from '@cove/shared/contracts/api';
import { useState } from 'react';
import { actionNotice } from '../lib/client/action-notice';
import { apiRequest, messageBesideFields } from '../lib/client/api';
import { pythonNotApplied } from '../lib/client/python-not-applied';
import { Field, SelectField } from './field';
import { LogView } from './log-view';

interface Draft {
  name: string;
  repoUrl: string;
  branch: string;
  mainFile: string;
  pythonVersion: string;
  memoryMb: string;
  cpus: string;
  /** Empty: the platform's default. */
  freezeAfterSeconds: string;
  stopAfterSeconds: string;
  minReplicas: string;
  maxReplicas: string;
  sessionsPerReplica: string;
}

function draftOf(app: AppView): Draft {
  return {
    name: app.name,
    repoUrl: app.repoUrl,
    branch: app.branch,
    mainFile: app.mainFile,
    pythonVersion: app.pythonVersion ?? '',
    memoryMb: String(app.resources.memoryMb),
    cpus: String(app.resources.cpus),
    freezeAfterSeconds: app.idle.freezeAfterSeconds === null ? '' : String(app.idle.freezeAfterSeconds),
    stopAfterSeconds: app.idle.stopAfterSeconds === null ? '' : String(app.idle.stopAfterSeconds),
    minReplicas: String(app.scaling.minReplicas),
    maxReplicas: String(app.scaling.maxReplicas),
    sessionsPerReplica: String(app.scaling.sessionsPerReplica),
  };
}

/** The placeholder of an empty idle time: the platform's, with its number. */
export function platformDefault(seconds: number): string {
  if (seconds === 0) return 'platform default: never';
  const readable =
    seconds % 3600 === 0
      ? `${seconds / 3600} h`
      : seconds % 60 === 0
        ? `${seconds / 60} min`
        : `${seconds} s`;
  return seconds < 60 ? `platform default: ${seconds} s` : `platform default: ${seconds} s (${readable})`;
}

/** An empty idle time goes back to the platform's default. */
function idleSecondsOf(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** Only what the person changed; an empty Python version goes back to the platform's default. */
function changesOf(app: AppView, draft: Draft): UpdateAppRequest {
  const before = draftOf(app);
  const changes: UpdateAppRequest = {};
  if (draft.name !== before.name) changes.name = draft.name;
  if (draft.repoUrl !== before.repoUrl) changes.repoUrl = draft.repoUrl;
  if (draft.branch !== before.branch) changes.branch = draft.branch;
  if (draft.mainFile !== before.mainFile) changes.mainFile = draft.mainFile;
  if (draft.pythonVersion !== before.pythonVersion)
    changes.pythonVersion = draft.pythonVersion.trim() || null;
  if (draft.memoryMb !== before.memoryMb) changes.memoryMb = Number(draft.memoryMb);
  if (draft.cpus !== before.cpus) changes.cpus = Number(draft.cpus);
  if (draft.freezeAfterSeconds !== before.freezeAfterSeconds)
    changes.freezeAfterSeconds = idleSecondsOf(draft.freezeAfterSeconds);
  if (draft.stopAfterSeconds !== before.stopAfterSeconds)
    changes.stopAfterSeconds = idleSecondsOf(draft.stopAfterSeconds);
  // A number the API checks (an empty or broken one reads as not a whole number, in its words).
  if (draft.minReplicas !== before.minReplicas) changes.minReplicas = Number(draft.minReplicas || Number.NaN);
  if (draft.maxReplicas !== before.maxReplicas) changes.maxReplicas = Number(draft.maxReplicas || Number.NaN);
  if (draft.sessionsPerReplica !== before.sessionsPerReplica)
    changes.sessionsPerReplica = Number(draft.sessionsPerReplica || Number.NaN);
  return changes;
}

/**
 * The app's settings. Repository URL, branch, main file and Python version need a new build (queued on save);
 * memory and CPUs restart the running version; a new name redirects the old address for a while;
 * idle times (when the app is frozen, then stopped) apply from the next sleep check, replica
 * settings from the next scaling check.
 */
/** The API's names of the fields this form shows beside their inputs. */
const formFields: readonly (keyof Draft)[] = [
  'name',
  'repoUrl',
  'branch',
  'mainFile',
  'pythonVersion',
  'memoryMb',
  'cpus',
  'freezeAfterSeconds',
  'stopAfterSeconds',
  'minReplicas',
  'maxReplicas',
  'sessionsPerReplica',
];

export function SettingsPanel({
  app,
  canChange,
  onSaved,
}: {
  app: AppView;
  /** A viewer reads the settings; the fields are disabled and there is nothing to save. */
  canChange: boolean;
  onSaved: (app: AppView) => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(app));
  /** After a rollback, a build with new settings may keep the live version or take the branch head. */
  const [buildFrom, setBuildFrom] = useState<'live' | 'branch-head'>('live');
  const [isBusy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  /** The build a save queued: followed below the notice, since the build log is far up the page. */
  const [rebuildId, setRebuildId] = useState<string | null>(null);
  const set = (key: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });
  /** What every field of the form takes from the draft: its value, its change and the API's message for it. */
  const bound = (key: keyof Draft) => ({ value: draft[key], onChange: set(key), error: fields[key] });

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setRebuildId(null);
    const result = await apiRequest(`/apps/${app.name}`, updateAppResponse, {
      method: 'PATCH',
      body: { ...changesOf(app, draft), ...(rolledBackCommit && needsBuild ? { buildFrom } : {}) },
    });
    setBusy(false);
    if (!result.ok) {
      setFields(result.fields);
      const banner = messageBesideFields(result, formFields);
      setNotice(banner === null ? null : { text: banner, isError: true });
      return;
    }
    setFields({});
    setDraft(draftOf(result.data.app));
    setNotice({ text: result.data.message, isError: false });
    setRebuildId(result.data.deploymentId);
    onSaved(result.data.app);
  }

  const changes = changesOf(app, draft);
  const needsBuild =
    changes.repoUrl !== undefined ||
    changes.branch !== undefined ||
    changes.mainFile !== undefined ||
    changes.pythonVersion !== undefined;
  const live = app.currentDeployment;
  // A rollback made an older version live: a build of the branch head would replace it.
  const rolledBackCommit =
    live?.trigger === 'rollback' &&
    live.commit !== null &&
    changes.branch === undefined &&
    changes.repoUrl === undefined
      ? live.commit.slice(0, 7)
      : null;
  const { maxMemoryMb, maxCpus } = app.resources;
  const offered = app.offeredPythonVersions;
  const pythonNote = pythonNotApplied(app);
  return (
    <section className="card" data-testid="settings">
      <h2>Settings</h2>
      <form className="form" onSubmit={save} noValidate>
        <fieldset className="plain" disabled={!canChange}>
          <Field
            id="settings-name"
            label="Name"
            {...bound('name')}
            hint="The subdomain. After a rename the old address redirects to the new one for a while."
          />
          {app.githubRepository === null && app.source !== 'upload' ? (
            <Field
              id="settings-repo-url"
              label="Repository URL"
              {...bound('repoUrl')}
              hint="Checked before saving: the branch and the main file must be there. Changing it starts a new build."
            />
          ) : null}
          {app.source === 'upload' ? null : (
            <Field
              id="settings-branch"
              label="Branch"
              {...bound('branch')}
              hint="Changing it starts a new build."
            />
          )}
          <Field
            id="settings-main-file"
            label="Main file"
            {...bound('mainFile')}
            hint="Changing it starts a new build."
          />
          {offered.length > 0 ? (
            <SelectField
              id="settings-python"
              label="Python version"
              {...bound('pythonVersion')}
              options={[
                { value: '', label: `Platform default (${offered[0]})` },
                ...offered.map((version) => ({ value: version, label: `Python ${version}` })),
              ]}
              hint="Used when the repository has no .python-version. Changing it starts a new build."
            />
          ) : (
            <Field
              id="settings-python"
              label="Python version"
              {...bound('pythonVersion')}
              placeholder="platform default"
              hint="Used when the repository has no .python-version, e.g. 3.11. Changing it starts a new build."
            />
          )}
          {pythonNote ? (
            <p className="notice" data-testid="settings-python-not-applied">
              {pythonNote}
            </p>
          ) : null}
          <Field
            id="settings-memory"
            label="Memory (MB)"
            type="number"
            min={128}
            max={maxMemoryMb}
            {...bound('memoryMb')}
            hint={`At most ${maxMemoryMb} MB. The running app restarts with it (health-checked).`}
          />
          <Field
            id="settings-cpus"
            label="CPUs"
            type="number"
            min={0.1}
            max={maxCpus}
            step={0.1}
            {...bound('cpus')}
            hint={`At most ${maxCpus}. The running app restarts with it (health-checked).`}
          />
          <Field
            id="settings-freeze-after"
            label="Freeze after idle (seconds)"
            type="number"
            min={0}
            {...bound('freezeAfterSeconds')}
            placeholder={platformDefault(app.idle.platformFreezeAfterSeconds)}
            hint="With no visitor for this long the app is paused: memory kept, wakes in a moment. 0 never."
          />
          <Field
            id="settings-stop-after"
            label="Stop after idle (seconds)"
            type="number"
            min={0}
            {...bound('stopAfterSeconds')}
            placeholder={platformDefault(app.idle.platformStopAfterSeconds)}
            hint="With no visitor for this long the app is stopped and holds no memory. 0 never."
          />
          <Field
            id="settings-min-replicas"
            label="Minimum replicas"
            type="number"
            min={1}
            {...bound('minReplicas')}
            hint="Processes of the app while it is awake. Each holds the app's memory."
          />
          <Field
            id="settings-max-replicas"
            label="Maximum replicas"
            type="number"
            min={1}
            {...bound('maxReplicas')}
            hint="More start when viewers pass the sessions per replica; idle ones stop after the freeze time."
          />
          <Field
            id="settings-sessions-per-replica"
            label="Sessions per replica"
            type="number"
            min={1}
            {...bound('sessionsPerReplica')}
            hint="Open browser tabs one replica takes before another starts. Each viewer stays on one replica."
          />
          <p className="hint" data-testid="settings-replicas">
            {replicasNow(app)}
          </p>
        </fieldset>
        {rolledBackCommit && needsBuild && canChange ? (
          <fieldset className="plain" data-testid="settings-build-from">
            <legend>These changes need a build. Build which version?</legend>
            <label>
              <input
                type="radio"
                name="build-from"
                checked={buildFrom === 'live'}
                onChange={() => setBuildFrom('live')}
              />{' '}
              The live version ({rolledBackCommit}, made live by a rollback)
            </label>
            <label>
              <input
                type="radio"
                name="build-from"
                checked={buildFrom === 'branch-head'}
                onChange={() => setBuildFrom('branch-head')}
              />{' '}
              The head of {draft.branch}
            </label>
          </fieldset>
        ) : null}
        {notice ? (
          <p className={notice.isError ? 'form-error' : 'notice'} role="status" data-testid="settings-notice">
            {notice.text}
          </p>
        ) : null}
        {rebuildId ? <RebuildProgress app={app} deploymentId={rebuildId} /> : null}
        {canChange ? (
          <div className="actions">
            <button type="submit" disabled={isBusy}>
              {isBusy ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}

/** Where the app runs now, in words: "2 replicas running, on node-a and node-b." */
function replicasNow(app: AppView): string {
  if (app.replicas.length === 0) return 'No replica runs now.';
  const nodes = [...new Set(app.replicas.map((replica) => replica.node))].join(' and ');
  const count = app.replicas.length;
  return `${count} ${count === 1 ? 'replica' : 'replicas'} running now, on ${nodes}.`;
}

function RebuildProgress({ app, deploymentId }: { app: AppView; deploymentId: string }) {
  const progress = actionNotice({ kind: 'rebuild', deploymentId }, app);
  // The build a save started, beside the button that started it.
  return (
    <>
      <p className={progress.isError ? 'form-error' : 'hint'} role="status" data-testid="settings-build">
        {progress.text}
      </p>
      <LogView
        appName={app.name}
        deploymentId={deploymentId}
        stream="build"
        testId="settings-build-log"
        emptyText="Waiting for the build to start…"
      />
    </>
  );
}
