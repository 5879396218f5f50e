import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LABEL_FORMATS, type LabelFormat, SYMBOLOGIES, type Symbology } from '../lib/domain/labels.js';
import { ApiClient, DEFAULT_API_URL } from './api-client.js';
import { expiryCheck } from './commands/expiry.js';
import { EXPORT_KINDS, type ExportKind, exportCommand } from './commands/export.js';
import { fdaRequestCommand } from './commands/fda-request.js';
import { ingest } from './commands/ingest.js';
import { label } from './commands/label.js';
import { showLot, showSerial, verify } from './commands/lots.js';
import { pick } from './commands/pick.js';
import { recallAck, recallReport, recallStart, recallStatus } from './commands/recall.js';
import { reportLots } from './commands/report.js';
import { trace } from './commands/trace.js';
import { bad } from './output.js';

/** Commander argument parsers: a bad value is a usage error (exit 2). */
const asDate = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return v;
};
const asQuantity = (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number greater than 0');
  return n;
};

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
  program
    .command('trace')
    .description('trace a lot through transformations to every lot made from it (or, --backward, every input) and every site')
    .argument('<gtin>')
    .argument('<lot>')
    .option('-b, --backward', 'trace back to inputs and sources')
    .addHelpText('after', '\nExample:\n  $ npx lotledger trace 00614141000012 L1')
    .action(async (gtin: string, lot: string, o: { backward?: boolean }) => {
      process.exitCode = await trace(api(), gtin, lot, { backward: Boolean(o.backward), json: json() });
    });

  const recall = program.command('recall').description('start a recall or a drill, follow it, record acknowledgements');
  recall
    .command('start')
    .description('recall lots (and, by default, everything made from them); --mock for a drill that changes nothing')
    .requiredOption('-l, --lot <gtin/lot...>', 'a lot to recall as GTIN/LOT (repeatable)')
    .addOption(new Option('-c, --class <class>', 'FDA classification').choices(['I', 'II', 'III']).makeOptionMandatory())
    .requiredOption('-r, --reason <text>', 'why')
    .option('--hazard <text>', 'the health hazard')
    .option('--instructions <text>', 'what recipients must do')
    .addOption(new Option('--depth <depth>', 'recall depth').choices(['consumer', 'retail', 'wholesale']))
    .addOption(new Option('--level <level>', 'effectiveness check level').choices(['A', 'B', 'C', 'D', 'E']))
    .option('--no-downstream', 'only the named lots, not lots made from them')
    .option('--mock', 'a drill: compute and report, change and send nothing')
    .option('-w, --wait', 'wait until every notice is published (SNS accepted it)')
    .addHelpText('after', '\nExample:\n  $ npx lotledger recall start --lot 00614141000012/L1 --class I --reason "Listeria" --mock')
    .action(async (o: { lot: string[]; class: string; reason: string; downstream: boolean }) => {
      process.exitCode = await recallStart(api(), { ...o, json: json() });
    });
  recall
    .command('status')
    .description("a recall's notices and effectiveness")
    .argument('<recallId>')
    .addHelpText('after', '\nExample:\n  $ npx lotledger recall status R-0123456789abcdef')
    .action(async (recallId: string) => {
      process.exitCode = await recallStatus(api(), recallId, { json: json() });
    });
  recall
    .command('ack')
    .description("record a consignee's acknowledgement (21 CFR 7.49)")
    .argument('<recallId>')
    .requiredOption('-s, --site <siteId>', 'the consignee')
    .requiredOption('--on-hand <n>', 'units still on hand')
    .requiredOption('--removed <n>', 'units removed, returned or destroyed')
    .option('--note <text>')
    .addHelpText('after', '\nExample:\n  $ npx lotledger recall ack R-0123456789abcdef --site store-1 --on-hand 0 --removed 12')
    .action(async (recallId: string, o: { site: string; onHand: string; removed: string; note?: string }) => {
      process.exitCode = await recallAck(api(), recallId, { ...o, json: json() });
    });
  recall
    .command('report')
    .description('the 21 CFR 7.53 status report figures')
    .argument('<recallId>')
    .addHelpText('after', '\nExample:\n  $ npx lotledger recall report R-0123456789abcdef')
    .action(async (recallId: string) => {
      process.exitCode = await recallReport(api(), recallId, { json: json() });
    });

  const expiry = program.command('expiry').description('expiry of lots with stock on hand');
  expiry
    .command('check')
    .description('run the expiry check: lots expiring soon and expired, alerts sent once; exit 1 if expired stock is on hand')
    .option('--as-of <date>', 'check as of this date (default today, UTC)', asDate)
    .addHelpText('after', '\nExample:\n  $ npx lotledger expiry check --as-of 2026-03-01')
    .action(async (o: { asOf?: string }) => {
      process.exitCode = await expiryCheck(api(), { ...o, json: json() });
    });

  program
    .command('pick')
    .description('FEFO pick list: which lots to take QTY from at SITE, earliest expiry first; exit 1 if the site cannot cover it')
    .argument('<site>', 'the siteId')
    .argument('<gtin>')
    .argument('<qty>', 'quantity to pick', asQuantity)
    .addHelpText('after', '\nExample:\n  $ npx lotledger pick store-1 00614141000012 12')
    .action(async (site: string, gtin: string, qty: number) => {
      process.exitCode = await pick(api(), site, gtin, qty, { json: json() });
    });

  const report = program.command('report').description('reports');
  report
    .command('lots')
    .description('per lot of a GTIN: received, sold, returns, defect rate, days to sell through, revenue, cost and margin')
    .argument('<gtin>')
    .option('--from <date>', 'first day of movements counted (their local date)', asDate)
    .option('--to <date>', 'last day of movements counted', asDate)
    .option('--csv', 'print CSV (the API answers text/csv)')
    .addHelpText('after', '\nExample:\n  $ npx lotledger report lots 00614141000012 --from 2026-03-01 --to 2026-03-31 --csv > lots.csv')
    .action(async (gtin: string, o: { from?: string; to?: string; csv?: boolean }) => {
      process.exitCode = await reportLots(api(), gtin, { ...o, json: json() });
    });

  program
    .command('export')
    .description('export movements for auditors: FSMA 204 sortable spreadsheet (CSV or xlsx) or EPCIS 2.0; downloads and checks the sha256')
    .addArgument(new Argument('<format>', 'what to export').choices(Object.keys(EXPORT_KINDS)))
    .requiredOption('--from <date>', 'first event date (YYYY-MM-DD, inclusive)', asDate)
    .requiredOption('--to <date>', 'last event date (inclusive)', asDate)
    .option('--gtin <gtin>', 'only this product')
    .option('--lot <lot>', 'only this lot (needs --gtin)')
    .requiredOption('-o, --output <file>', 'where to write the file')
    .addHelpText(
      'after',
      '\nExample:\n  $ npx lotledger export fsma204 --from 2026-03-01 --to 2026-03-31 --gtin 00614141000012 -o fsma204-march.csv\n\nExit 1 when the export fails or the download does not match the sha256 in its manifest.',
    )
    .action(async (format: ExportKind, o: { from: string; to: string; gtin?: string; lot?: string; output: string }) => {
      process.exitCode = await exportCommand(api(), format, { ...o, json: json() });
    });
  const labelCmd = program.command('label').description('print a GS1 label to a file (SVG, PNG, PDF or ZPL, from the file name)');
  for (const kind of ['lot', 'serial'] as const) {
    labelCmd
      .command(kind)
      .description(
        kind === 'lot'
          ? 'a case label for a lot the ledger has recorded: (01) (17) (11) (13) (37) (10)'
          : 'a unit label for a serial the ledger knows: (01) (21)',
      )
      .argument('<gtin>')
      .argument(kind === 'lot' ? '<lot>' : '<serial>')
      .requiredOption('-o, --output <file>', 'where to write it; .svg, .png, .pdf or .zpl picks the format')
      .addOption(new Option('--format <format>', 'override the format the file name suggests').choices([...LABEL_FORMATS]))
      .addOption(new Option('--symbology <symbology>', 'the barcode').choices([...SYMBOLOGIES]).default('gs1-128'))
      .option('-q, --quantity <n>', 'units in the case: (37) count', asQuantity)
      .addHelpText(
        'after',
        `\nExample:\n  $ npx lotledger label ${kind} 00614141000012 ${kind === 'lot' ? 'L1' : 'SN1'} -o label.pdf --symbology datamatrix`,
      )
      .action(async (gtin: string, id: string, o: { output: string; format?: LabelFormat; symbology?: Symbology; quantity?: number }) => {
        process.exitCode = await label(api(), kind, gtin, id, { ...o, json: json() });
      });
  }

  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program
    .command('fda-request')
    .description('answer an FDA records request (21 CFR 1.1455(c)): start it, wait for the package, download it and check every SHA-256')
    .requiredOption('--reference <ref>', "FDA's reference of the request")
    .requiredOption('--requested-at <instant>', 'when FDA asked (ISO-8601 with offset); the deadline is 24 hours later')
    .requiredOption('--name <name>', 'who asked')
    .option('--agency <agency>', 'their agency or office')
    .option('--email <email>', 'their email')
    .requiredOption('--from <date>', 'first event date (YYYY-MM-DD, inclusive)', asDate)
    .requiredOption('--to <date>', 'last event date (inclusive)', asDate)
    .option('--gtin <gtin>', 'a product FDA named (repeat for several)', collect)
    .option('--lot <gtin/lot>', 'a lot FDA named, as GTIN/LOT (repeat for several)', collect)
    .requiredOption('-o, --output <file>', 'where to write the ZIP package')
    .addHelpText(
      'after',
      '\nExample:\n  $ npx lotledger fda-request --reference FDA-2026-0042 --requested-at 2026-03-02T09:00:00-05:00 --name "R. Inspector" \\\n      --from 2026-02-01 --to 2026-03-01 --gtin 00614141000012 -o fda-2026-0042.zip\n\nExit 1 when the package fails or a SHA-256 does not match.',
    )
    .action(
      async (o: {
        reference: string;
        requestedAt: string;
        name: string;
        agency?: string;
        email?: string;
        from: string;
        to: string;
        gtin?: string[];
        lot?: string[];
        output: string;
      }) => {
        process.exitCode = await fdaRequestCommand(api(), { ...o, json: json() });
      },
    );
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
