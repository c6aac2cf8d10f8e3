// `snapbench share` (a redacted, optionally signed copy for auditors),
// `snapbench keys generate` (an Ed25519 key pair) and `snapbench sign` (sign a
// snapshot in place). The work is loaded only when one of them runs.
import type { Command } from 'commander';
import { formatOption } from '../options.ts';

const actions = () => import('../../share/commands.ts');

export function registerShareCommands(program: Command): void {
  program
    .command('share')
    .description('write a copy for sharing: personal data masked by keyed pseudonyms, secrets removed, the redaction recorded in its manifest')
    .argument('<file>', 'snapshot file')
    .option('--out <file>', 'shared copy to write (replaced only when complete)')
    .option('--profile <yaml>', 'redaction profile: mask / keep / drop columns by table, more secret shapes')
    .option('--key-env <var>', 'pseudonym key from this environment variable (at least 16 characters)')
    .option('--key-file <path>', 'pseudonym key from this file')
    .option('--fresh-key', 'a random pseudonym key for this share only (pseudonyms match no other share)')
    .option('--sign <key>', 'sign the copy with this Ed25519 private key (snapbench keys generate)')
    .option('--signer <name>', 'the name recorded with the signature (default: your user name)')
    .option('--dry-run', 'print what would be masked and why; write nothing')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (file: string, opts: Parameters<Awaited<ReturnType<typeof actions>>['runShare']>[1]) => (await actions()).runShare(file, opts));

  program
    .command('keys')
    .description('Ed25519 signing keys for share --sign, pull --sign and verify --trust')
    .command('generate')
    .description('make a key pair: PREFIX.key (private, 0600) and PREFIX.pub')
    .option('--out <prefix>', 'path prefix of the two files', 'snapbench-signing')
    .action(async (opts: { out: string }) => (await actions()).runKeysGenerate(opts));

  program
    .command('sign')
    .description('sign a snapshot in place (after checking every hash) so a receiver can check who made it')
    .argument('<file>', 'snapshot file')
    .requiredOption('--key <key>', 'Ed25519 private key (snapbench keys generate)')
    .option('--signer <name>', 'the name recorded with the signature (default: your user name)')
    .action(async (file: string, opts: { key: string; signer?: string }) => (await actions()).runSign(file, opts));
}
