import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import type { RegistryDetails } from '../../../src-shared/ipc/contract.ts';
import { CallError } from '../../../src-shared/ipc/proxy.ts';
import { deckhand } from '../../store/index.ts';
import { RegistryDetailsDialog } from './RegistryDetailsDialog.tsx';
import { renderWithData } from '../../data/testing.tsx';
import type { ReactElement } from 'react';

const mockApi = { registryDetails: vi.fn() };
const render = (ui: ReactElement) => renderWithData(ui, { api: mockApi });

const details: RegistryDetails = {
  host: 'quay.io',
  registriesConf: {
    files: ['/etc/containers/registries.conf'],
    rule: {
      file: '/etc/containers/registries.conf',
      prefix: 'quay.io',
      location: 'quay.io',
      insecure: false,
      blocked: false,
      mirrorByDigestOnly: true,
      mirrors: [
        { location: 'mirror.internal:5000', insecure: true, pullFromMirror: 'all' },
        { location: 'mirror2.internal', insecure: false, pullFromMirror: 'all' },
      ],
    },
    narrower: [
      {
        file: '/etc/containers/registries.conf.d/10-team.conf',
        prefix: 'quay.io/team',
        location: 'quay.io/team',
        insecure: false,
        blocked: true,
        mirrorByDigestOnly: false,
        mirrors: [],
      },
    ],
    searchRegistries: ['quay.io', 'docker.io'],
    shortNameMode: 'enforcing',
  },
  login: {
    storedIn: 'credential-helper',
    username: 'ann',
    identityToken: false,
    file: 'credHelpers of /home/ann/.docker/config.json',
    helper: 'osxkeychain',
    problem: null,
  },
  policy: {
    file: '/etc/containers/policy.json',
    scope: 'transports.docker["quay.io"]',
    requirements: [
      { type: 'sigstoreSigned', keyPaths: ['/etc/pki/team.pub'], text: 'sigstoreSigned with /etc/pki/team.pub' },
      { type: 'insecureAcceptAnything', keyPaths: [], text: 'insecureAcceptAnything: images are accepted without signatures' },
    ],
  },
};

beforeEach(() => {
  deckhand.setState(deckhand.getInitialState(), true);
  deckhand.setState({ dialog: { kind: 'registry', host: 'quay.io' } });
  vi.clearAllMocks();
});

test('shows the registries.conf rule with its mirrors in order, the login and the signature policy', async () => {
  mockApi.registryDetails.mockResolvedValue(details);
  render(<RegistryDetailsDialog host="quay.io" />);
  const dialog = screen.getByTestId('registry-details');
  expect(mockApi.registryDetails).toHaveBeenCalledWith({ host: 'quay.io' });
  expect((await within(dialog).findByTestId('registry-login')).textContent).toBe(
    'Logged in as ann, in the credential helper docker-credential-osxkeychain (credHelpers of /home/ann/.docker/config.json).',
  );
  const [rule, narrower] = within(dialog).getAllByTestId('registry-rule');
  expect(rule!.dataset.prefix).toBe('quay.io');
  expect(rule!.textContent).toContain('/etc/containers/registries.conf');
  expect(rule!.textContent).toContain('mirror-by-digest-only');
  expect(
    within(rule!)
      .getAllByTestId('registry-mirror')
      .map((m) => m.textContent),
  ).toEqual(['mirror.internal:5000insecure', 'mirror2.internal']);
  expect(narrower!.dataset.prefix).toBe('quay.io/team');
  expect(narrower!.textContent).toContain('yes: pulls and pushes are refused');
  expect(within(dialog).getByTestId('registry-search').textContent).toBe(
    'Short names: searched in quay.io, docker.io; short-name-mode enforcing.',
  );
  const policy = within(dialog).getByRole('region', { name: 'Signature policy' });
  expect(policy.textContent).toContain('transports.docker["quay.io"] in /etc/containers/policy.json');
  expect(
    within(policy)
      .getAllByRole('listitem')
      .map((li) => li.textContent),
  ).toEqual(['sigstoreSigned with /etc/pki/team.pub', 'insecureAcceptAnything: images are accepted without signatures']);

  await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Log in again…' }));
  expect(deckhand.getState().dialog).toEqual({ kind: 'login', registry: 'quay.io' });
});

test('a registry on this machine says it is reached over plain HTTP, as the engine does', async () => {
  mockApi.registryDetails.mockResolvedValueOnce({
    ...details,
    host: '127.0.0.1:5000',
    registriesConf: { files: [], rule: null, narrower: [], searchRegistries: [], shortNameMode: 'enforcing' },
  });
  render(<RegistryDetailsDialog host="127.0.0.1:5000" />);
  const text = (await screen.findByTestId('registry-no-rule')).textContent;
  expect(text).toContain('over plain HTTP, as for every registry on this machine (loopback)');
  expect(text).not.toContain('verified TLS');
});

test('no rule, no login and no policy say so; a config error is shown', async () => {
  mockApi.registryDetails.mockResolvedValueOnce({
    ...details,
    registriesConf: { files: [], rule: null, narrower: [], searchRegistries: [], shortNameMode: 'enforcing' },
    login: { storedIn: null, username: null, identityToken: false, file: null, helper: null, problem: null },
    policy: null,
  });
  const { unmount } = render(<RegistryDetailsDialog host="quay.io" />);
  expect((await screen.findByTestId('registry-login')).textContent).toBe('Not logged in: pulls and pushes are anonymous.');
  expect(screen.getByTestId('registry-no-rule').textContent).toBe(
    'No registries.conf: names are used as written, without mirrors, over HTTPS with the certificate verified.',
  );
  expect(screen.getByTestId('registry-policy').textContent).toBe('No policy.json: images are accepted without signatures.');
  unmount();

  mockApi.registryDetails.mockRejectedValueOnce(
    new CallError({ code: 'ECONFIG', message: '/etc/containers/registries.conf: registry[0].locaton: unknown key', detail: null }),
  );
  render(<RegistryDetailsDialog host="quay.io" />);
  expect((await screen.findByRole('alert')).textContent).toBe('/etc/containers/registries.conf: registry[0].locaton: unknown key');
});
