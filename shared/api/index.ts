// The workbench API: contract, errors, RPC and the HTTP wire format.
export * from './errors.ts';
export * from './types.ts';
export * from './contract.ts';
export * from './rpc.ts';
export * from './codec.ts';
export { SHELL_CHANNELS } from './channels.ts';
export * from './bridge.ts';
