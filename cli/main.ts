import { Command, CommanderError, Option } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client.js';
import { ingest } from './commands/ingest.js';
import { showLot, showSerial, verify } from './commands/lots.js';
import { bad } from './output.js';

/** Exit codes: 0 ok, 1 rejected records or failed checks (or an API error), 2 usage. */
export function buildProgram(): Command {
  const program = new Command('lotledger')
    .description('lotledger: lot and serial traceability. Talks to the API at LOTLEDGER_API_URL (default the local stack).')
    .option('--api <url>', 'API base URL (SigV4-signed when not local)', process.env.LOTLEDGER_API_URL ?? DEFAULT_API_URL)
    .option('--json', 'print JSON for scripts')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  const api = () => new ApiClient(program.opts<{ api: string }>().api);
  const json = () => Boolean(program.opts<{ json?: boolean }>().json);

  program
    .command('ingest')
    .description('send a CSV or NDJSON file of movements in batches of 500 and summarise the results')
    .argument('<file>', 'a .csv (header row of movement field names) or .ndjson file')
    .addOption(new Option('--format <format>', 'override the format the file name suggests').choices(['csv', 'ndjson']))
    .addHelpText('after', '\nExample:\n  $ npx lotledger ingest movements.csv')
    .action(async (file: string, o: { format?: 'csv' | 'ndjson' }) => {
      process.exitCode = await ingest(api(), file, { json: json(), ...(o.format ? { format: o.format } : {}) });
    });

  program
    .command('lot')
    .description('show a lot: status, expiry, balances per site, serial counts and ledger head')
    .argument('<gtin>')
    .argument('<lot>')
    .option('-m, --movements', 'also list its ledger entries')
    .addHelpText('after', '\nExample:\n  $ npx lotledger lot 00614141000012 L1 --movements')
    .action(async (gtin: string, lot: string, o: { movements?: boolean }) => {
      process.exitCode = await showLot(api(), gtin, lot, { json: json(), movements: Boolean(o.movements) });
    });

  program
    .command('serial')
    .description("show a serial's status and history")
    .argument('<gtin>')
    .argument('<serial>')
    .addHelpText('after', '\nExample:\n  $ npx lotledger serial 00614141000043 SN1')
    .action(async (gtin: string, serial: string) => {
      process.exitCode = await showSerial(api(), gtin, serial, { json: json() });
    });

  program
    .command('verify')
    .description('verify the hash chains of every lot (or one lot); exit 1 if any is broken')
    .option('--gtin <gtin>')
    .option('--lot <lot>')
    .addHelpText('after', '\nExample:\n  $ npx lotledger verify --gtin 00614141000012 --lot L1')
    .action(async (o: { gtin?: string; lot?: string }) => {
      process.exitCode = await verify(api(), { ...o, json: json() });
    });
  return program;
}

/** Run the CLI; errors print one line and set the exit code. */
export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    console.error(bad(`error: ${(e as Error).message}`));
    return 1;
  }
}
