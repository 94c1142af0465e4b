'use client';

import {
  type GitHubRepositoriesResponse,
  gitHubBranchesResponse,
  gitHubFilesResponse,
  gitHubRepositoriesResponse,
} from '@cove/shared/contracts/github';
import { useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { Field } from './field';

type Repository = GitHubRepositoriesResponse['repositories'][number];

interface SelectFieldProps {
  id: string;
  label: string;
  options: readonly string[];
  value: string;
  onChange: (value: string) => void;
  isLoading: boolean;
  error?: string | undefined;
  hint?: string;
}

function SelectField({ id, label, options, value, onChange, isLoading, error, hint }: SelectFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={id}
        value={value}
        disabled={isLoading || options.length === 0}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(event.target.value)}
      >
        {isLoading ? <option value="">Loading…</option> : null}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      {hint ? <p className="hint">{hint}</p> : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Repository, branch and main file, picked from what the workspace's GitHub App installations see. */
export function GitHubPickers({ fields }: { fields: Record<string, string> }) {
  const [repositories, setRepositories] = useState<Repository[] | null>(null);
  const [repository, setRepository] = useState('');
  const [branches, setBranches] = useState<string[] | null>(null);
  const [branch, setBranch] = useState('');
  const [files, setFiles] = useState<{ paths: string[]; isTruncated: boolean } | null>(null);
  const [mainFile, setMainFile] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void apiRequest('/github/repos', gitHubRepositoriesResponse).then((result) => {
      if (!result.ok) return setProblem(result.message);
      setRepositories(result.data.repositories);
      const first = result.data.repositories[0];
      if (first) setRepository(first.fullName);
    });
  }, []);

  useEffect(() => {
    if (!repository || !repositories) return;
    setBranches(null);
    const picked = repositories.find((candidate) => candidate.fullName === repository);
    void apiRequest(`/github/repos/${repository}/branches`, gitHubBranchesResponse).then((result) => {
      if (!result.ok) return setProblem(result.message);
      setBranches(result.data.branches);
      const preferred = picked?.defaultBranch;
      setBranch(
        preferred && result.data.branches.includes(preferred) ? preferred : (result.data.branches[0] ?? ''),
      );
    });
  }, [repository, repositories]);

  useEffect(() => {
    if (!repository || !branch) return;
    setFiles(null);
    setProblem(null);
    void apiRequest(
      `/github/repos/${repository}/files?branch=${encodeURIComponent(branch)}`,
      gitHubFilesResponse,
    ).then((result) => {
      if (!result.ok) {
        // The path can still be typed: the build checks it.
        setProblem(result.message);
        setFiles({ paths: [], isTruncated: true });
        return;
      }
      setFiles(result.data);
      const preferred = result.data.paths.find((path) => /(^|\/)(streamlit_app|app|main)\.py$/.test(path));
      setMainFile(preferred ?? result.data.paths[0] ?? '');
    });
  }, [repository, branch]);

  if (repositories !== null && repositories.length === 0) {
    return (
      <p className="hint">
        The GitHub App can read no repository yet. Give it access on GitHub, then reload.
      </p>
    );
  }
  return (
    <>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
      <SelectField
        id="githubRepository"
        label="Repository"
        options={(repositories ?? []).map((candidate) => candidate.fullName)}
        value={repository}
        onChange={setRepository}
        isLoading={repositories === null}
        error={fields.githubRepository}
      />
      <SelectField
        id="branch"
        label="Branch"
        options={branches ?? []}
        value={branch}
        onChange={setBranch}
        isLoading={branches === null}
        error={fields.branch}
      />
      {files !== null && files.paths.length === 0 ? (
        <Field
          id="mainFile"
          label="Main file path"
          defaultValue="streamlit_app.py"
          hint="No Python file could be listed for this branch; type the path of the Streamlit script."
          required
          error={fields.mainFile}
        />
      ) : (
        <SelectField
          id="mainFile"
          label="Main file"
          options={files?.paths ?? []}
          value={mainFile}
          onChange={setMainFile}
          isLoading={files === null}
          error={fields.mainFile}
          {...(files?.isTruncated
            ? { hint: 'The repository is very large: not every file may be listed.' }
            : {})}
        />
      )}
    </>
  );
}
