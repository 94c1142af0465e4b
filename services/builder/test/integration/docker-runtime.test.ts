// The Docker implementation of the app runtime passes the contract's conformance suite.
import { describeRuntimeConformance } from '../../src/runtime/conformance/suite';
import { createDockerRuntime } from '../../src/runtime/docker';

describeRuntimeConformance(
  'Docker',
  () => createDockerRuntime(process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock'),
  {
    baseImage: process.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev',
    subnets: { range: '10.213.0.0/16', subnetBits: 28 },
  },
);
