import { z } from 'zod';
import { ExportIdParam } from '../functions/get-export.js';
import { ExportStatusSchema } from '../functions/get-exports.js';
import { FdaRequestIdParam } from '../functions/get-fda-request.js';
import { Direction, Flag } from '../functions/get-lot-trace.js';
import { RecallIdParam } from '../functions/get-recall.js';
import { RecallStatusSchema } from '../functions/get-recalls.js';
import { Quantity } from '../functions/get-site-pick.js';
import { ExpiryCheckBody } from '../functions/post-expiry-checks.js';
import { ExportRequest } from '../lib/domain/exports.js';
import { FdaRequestInput, SentInput, SignOffInput } from '../lib/domain/fda-requests.js';
import { DateSchema, GtinSchema, LotSchema, SerialSchema, SiteIdSchema } from '../lib/domain/ids.js';
import { LabelCount, SsccRequest, SsccSchema } from '../lib/domain/label-requests.js';
import { LabelFormatSchema, SymbologySchema } from '../lib/domain/labels.js';
import { ProductInput, SiteInput } from '../lib/domain/master-data.js';
import { Movement } from '../lib/domain/movement.js';
import { AckInput, CheckInput, CloseInput, LinkAckInput, RecallInput } from '../lib/domain/recall-request.js';
import { ScanInput } from '../lib/domain/scans.js';
import { WarrantyClaimInput } from '../lib/domain/warranty-claims.js';
import { CursorSchema, LimitSchema, ReasonBody } from '../lib/http/params.js';
import { ROUTES } from './routes.js';

/** What the OpenAPI document says of one route: the very zod schemas its handler validates with. */
export type ApiDoc = {
  summary: string;
  description?: string;
  tag: string;
  params?: Record<string, z.ZodType>;
  query?: Record<string, { schema: z.ZodType; required?: boolean }>;
  body?: z.ZodType;
  /** status → description */
  responses: Record<number, string>;
};

const lotParams = { gtin: GtinSchema, lot: LotSchema };
const E400 = 'validation_failed: malformed JSON or a field that breaks the schema; details name each field';
const E400_PAGE = 'validation_failed: a bad parameter, e.g. a limit outside 1-1000 or a cursor this API did not return (details name it)';
const E413 = 'payload_too_large: the answer would exceed the 6 MB a Lambda can return; ask for a smaller limit';
/** limit and cursor of the routes paged by lot or by movement (default 1000 items a page). */
const pageQuery = { limit: { schema: LimitSchema.describe('1-1000 items a page, default 1000') }, cursor: { schema: CursorSchema } };

/** format and symbology of the label routes, and any more. */
const labelQuery = (more: Record<string, { schema: z.ZodType }>) => ({
  format: { schema: LabelFormatSchema.describe('svg (default), png, pdf or zpl') },
  symbology: { schema: SymbologySchema.describe('gs1-128 (default), datamatrix or qr (GS1 Digital Link)') },
  ...more,
});

/** Every route's documentation, keyed by handler name. A test fails when a route in ROUTES has none. */
export const API_DOCS: Record<string, ApiDoc> = {
  health: { tag: 'local', summary: 'Liveness and the endpoints the handlers use', responses: { 200: '{ok, tableName, exportBucket, endpoints}' } },
  'get-openapi': { tag: 'meta', summary: 'This OpenAPI document', responses: { 200: 'OpenAPI 3.1 JSON' } },
  'put-product': {
    tag: 'master data',
    summary: 'Create or replace a product',
    params: { gtin: GtinSchema },
    body: ProductInput,
    responses: { 200: 'the product', 400: E400 },
  },
  'get-product': {
    tag: 'master data',
    summary: 'Read a product',
    params: { gtin: GtinSchema },
    responses: { 200: 'the product', 404: 'product_not_found' },
  },
  'put-site': {
    tag: 'master data',
    summary: 'Create or replace a site',
    params: { siteId: SiteIdSchema },
    body: SiteInput,
    responses: { 200: 'the site', 400: E400, 409: 'invalid_state: an internal site cannot become external or back' },
  },
  'get-site': { tag: 'master data', summary: 'Read a site', params: { siteId: SiteIdSchema }, responses: { 200: 'the site', 404: 'site_not_found' } },
  'post-movements': {
    tag: 'movements',
    summary: 'Record 1-500 movements; each record is accepted, duplicate or rejected on its own',
    body: z.object({ movements: z.array(Movement).min(1).max(500) }),
    responses: { 200: '{accepted, duplicates, rejected, results: [{index, eventId, status, code?, errors?}]}', 400: E400 },
  },
  'post-scans': {
    tag: 'movements',
    summary: 'Record 1-500 raw GS1 barcode scans (element strings, bracketed form or Digital Link URIs)',
    body: z.object({ scans: z.array(ScanInput).min(1).max(500) }),
    responses: { 200: 'as for POST /movements', 400: E400 },
  },
  'get-lot': {
    tag: 'queries',
    summary: 'A lot: status, expiry, balances per site, serial counts, its chain head and `unchained` (accepted movements not chained yet)',
    params: lotParams,
    responses: { 200: '{gtin, lot, description, expiry, status, onHand, balances, serials?, seq, head, unchained, ...}', 404: 'lot_not_found' },
  },
  'get-lot-movements': {
    tag: 'queries',
    summary: "A page of the lot's ledger in chain order",
    params: lotParams,
    query: { limit: { schema: LimitSchema.describe('1-1000 entries a page, default 100') }, cursor: { schema: CursorSchema } },
    responses: { 200: '{items: [ledger entry], nextCursor?}', 400: E400_PAGE, 404: 'lot_not_found', 413: E413 },
  },
  'post-lot-hold': {
    tag: 'queries',
    summary: 'Put a lot on QA hold (a chained ledger entry)',
    params: lotParams,
    body: ReasonBody,
    responses: { 200: 'the lot', 404: 'lot_not_found', 409: 'invalid_state: the lot is recalled' },
  },
  'post-lot-release': {
    tag: 'queries',
    summary: 'Release a QA hold (a chained ledger entry)',
    params: lotParams,
    body: ReasonBody,
    responses: { 200: 'the lot', 404: 'lot_not_found', 409: 'invalid_state: the lot is recalled' },
  },
  'get-serial': {
    tag: 'queries',
    summary: "A serial's status and history",
    params: { gtin: GtinSchema, serial: SerialSchema },
    responses: { 200: '{gtin, serial, lot, status, siteId?, history}', 404: 'serial_not_found' },
  },
  'get-lot-trace': {
    tag: 'trace',
    summary: 'Forward or backward trace through transformations',
    description:
      'The graph comes whole: lots, sites and edges (goods from a lot or site to another, quantities summed: enough to draw it), ' +
      'with movementsTotal and movements, the first page of the movements of every traced ' +
      'lot in time order (limit, default 1000, and at most ~5 MB of JSON); nextCursor asks for the next page. movements=false ' +
      'answers the graph alone (movements empty), as the console does. The graph is walked once for the first page; the next pages are cut from that walk while this process ' +
      'keeps it (5 minutes after last use), and walk again otherwise, resuming after the cursor. Every page repeats the same lots and sites.',
    params: lotParams,
    query: {
      direction: { schema: Direction },
      movements: { schema: Flag.describe('false: the graph alone, without its page of movements (default true)') },
      ...pageQuery,
    },
    responses: {
      200: '{root, direction, lots, sites, edges, movements, movementsTotal, nextCursor?}',
      400: E400_PAGE,
      404: 'lot_not_found',
      413: E413,
    },
  },
  'get-ledger-verify': {
    tag: 'ledger',
    summary: 'Verify hash chains (one lot, one GTIN, or all)',
    description:
      'One lot answers {ok, entries, head, seq} (its chain is streamed, never paged). Without lot, a page of up to limit lots in ' +
      "(gtin, lot) order: ok, lots, entries and failures are that page's, and nextCursor asks for the next; the ledger is intact " +
      'only if every page is ok.',
    query: { gtin: { schema: GtinSchema }, lot: { schema: LotSchema }, ...pageQuery },
    responses: {
      200: '{ok, entries, head, seq} for a lot; {ok, lots, entries, failures, nextCursor?} for a page of lots otherwise',
      400: E400_PAGE,
      413: E413,
    },
  },
  'post-ledger-checkpoints': {
    tag: 'ledger',
    summary: "Write a ledger checkpoint now (every lot's chain head into the Object-Lock bucket); the daily job does it nightly",
    responses: { 201: '{key, lots, sha256, previous}' },
  },
  'post-recalls': {
    tag: 'recalls',
    summary: 'Start a recall (or a drill with mock: true); send Idempotency-Key to make retries safe',
    body: RecallInput,
    description:
      'affected.sites and affected.customers list at most 5,000 each (affected.sitesTotal and customersTotal count them all; ' +
      'affected.truncated says when the lists stop short); the report lists every consignee, page by page.',
    responses: { 201: '{recallId, status, mock, affected, notices, traceMillis}', 400: E400, 404: 'lot_not_found' },
  },
  'get-recalls': {
    tag: 'recalls',
    summary: 'Recalls started, newest first (extension; drills are not kept)',
    query: {
      status: { schema: RecallStatusSchema },
      limit: { schema: LimitSchema.describe('1-1000 recalls a page, default 50') },
      cursor: { schema: CursorSchema },
    },
    responses: {
      200: '{items: [{recallId, status, classification, reason, lots, affectedLots, issuedAt, requestedBy, noticesTotal, customers, unitsAtRisk, depth?, estimatedCompletion?, closedAt?}], nextCursor?}',
      400: E400_PAGE,
    },
  },
  'get-recall': {
    tag: 'recalls',
    summary: 'A recall with its notices and effectiveness',
    params: { recallId: RecallIdParam },
    responses: { 200: 'the recall', 404: 'recall_not_found' },
  },
  'post-recall-acknowledgements': {
    tag: 'recalls',
    summary: "A consignee's acknowledgement (21 CFR 7.49); a later one replaces the earlier",
    params: { recallId: RecallIdParam },
    body: AckInput,
    responses: { 200: 'the acknowledgement', 404: 'recall_not_found', 409: 'invalid_state: the site was not notified' },
  },
  'get-recall-report': {
    tag: 'recalls',
    summary: 'The 21 CFR 7.53 status report figures',
    description:
      'Every count covers the whole recall; the item lists cover one page of consignees in site id order (limit, default and at most ' +
      '1000); nextCursor asks for the next page.',
    params: { recallId: RecallIdParam },
    query: { ...pageQuery },
    responses: { 200: 'the report, nextCursor?', 400: E400_PAGE, 404: 'recall_not_found' },
  },
  'post-recall-effectiveness-checks': {
    tag: 'recalls',
    summary: 'An effectiveness check of one consignee (21 CFR 7.42(b)(3)); GET /recalls/{id} says how many the level still needs',
    params: { recallId: RecallIdParam },
    body: CheckInput,
    responses: { 201: 'the check', 400: E400, 404: 'recall_not_found', 409: 'invalid_state: not a consignee; recall_closed' },
  },
  'post-recall-close': {
    tag: 'recalls',
    summary: 'Close a recall: follow-ups end and acknowledgement links stop working',
    params: { recallId: RecallIdParam },
    body: CloseInput,
    responses: { 200: '{recallId, status, closedAt, closeReason}', 400: E400, 404: 'recall_not_found', 409: 'recall_closed' },
  },
  'get-ack': {
    tag: 'recalls',
    summary: 'An acknowledgement link (no auth): the notice as JSON, or a plain page for a browser (Accept: text/html)',
    params: { token: z.string() },
    responses: {
      200: '{recallId, classification, urgent, title, reason, hazard, instructions, products, recipient: {name, kind}, acknowledged?}',
      404: 'ack_token_not_found: unknown, made-up or closed',
    },
  },
  'post-ack': {
    tag: 'recalls',
    summary: "Acknowledge through a notice's link (no auth): the same as an acknowledgement for the link's site",
    params: { token: z.string() },
    body: LinkAckInput,
    responses: { 200: 'the acknowledgement', 400: E400, 404: 'ack_token_not_found: unknown, made-up or closed' },
  },
  'post-expiry-checks': {
    tag: 'expiry',
    summary: 'Run the expiry check now (it also runs daily)',
    body: ExpiryCheckBody,
    responses: {
      200: '{asOf, expiringSoon, expired, atRisk: [{gtin, lot, siteId, expiry, daysLeft, onHand, dailySales, projectedUnsold}], alertsPublished, alertsPending}',
      400: E400,
    },
  },
  'get-site-pick': {
    tag: 'expiry',
    summary: 'A FEFO pick list for a quantity of a GTIN at a site',
    params: { siteId: SiteIdSchema },
    query: { gtin: { schema: GtinSchema, required: true }, quantity: { schema: Quantity, required: true } },
    responses: { 200: '{siteId, gtin, quantity, picks}', 404: 'site or product not found', 409: 'insufficient_stock' },
  },
  'get-site-putaway': {
    tag: 'master data',
    summary: 'The bin to store a receipt of a lot in at a site (putaway)',
    description:
      "The bin already holding that lot (reason holds-lot), else the first empty bin in the site's order (empty-bin), else the bin " +
      'holding the fewest other lots (fewest-other-lots). Read from the bins index: a movement of the last second may be missing.',
    params: { siteId: SiteIdSchema },
    query: { gtin: { schema: GtinSchema, required: true }, lot: { schema: LotSchema, required: true } },
    responses: {
      200: '{siteId, gtin, lot, bin, reason, message}',
      400: 'validation_failed: a bad or missing gtin or lot (details name it)',
      404: 'site_not_found or product_not_found',
      409: 'invalid_state: the site has no bins',
    },
  },
  'get-reports-lots': {
    tag: 'reports',
    summary: 'Per-lot figures for a GTIN (CSV with Accept: text/csv)',
    description:
      'A page looks at up to limit lots in lot order after cursor, so it may hold fewer lines; nextCursor (for CSV, the x-next-cursor ' +
      'header) asks for the next page.',
    query: { gtin: { schema: GtinSchema, required: true }, from: { schema: DateSchema }, to: { schema: DateSchema }, ...pageQuery },
    responses: { 200: '{gtin, from, to, lots, nextCursor?}', 400: E400_PAGE, 413: E413 },
  },
  'get-label-lot': {
    tag: 'labels',
    summary: 'A GS1 case label for a recorded lot: (01), (17) expiry, (11) production and (13) pack date when known, (37) count, (10) lot',
    description:
      'format svg (default), png, pdf or zpl; symbology gs1-128 (default), datamatrix or qr (GS1 Digital Link, the count as the query ' +
      'attribute 37=). quantity prints (37) beside (01), as POST /scans reads it (GS1 itself reserves (37) for logistic units). ' +
      'A lot the ledger has never recorded is 404 lot_not_found.',
    params: lotParams,
    query: labelQuery({ quantity: { schema: LabelCount } }),
    responses: {
      200: 'the label (image/svg+xml, image/png, application/pdf or application/zpl)',
      400: E400,
      404: 'product_not_found or lot_not_found',
    },
  },
  'get-label-serial': {
    tag: 'labels',
    summary: 'A GS1 unit label for a known serial: (01) and (21)',
    params: { gtin: GtinSchema, serial: SerialSchema },
    query: labelQuery({}),
    responses: { 200: 'the label', 400: E400, 404: 'product_not_found or serial_not_found' },
  },
  'post-label-sscc': {
    tag: 'labels',
    summary: 'Issue a new SSCC and its GS1 logistic label (the SSCC barcode lowest). Send Idempotency-Key to make retries safe',
    description:
      'The SSCC is numbered under GS1_COMPANY_PREFIX from one atomic counter: never issued twice. 201 {sscc, label: {format, symbology, ' +
      'mediaType, encoding: base64|utf8, data, href}, site, shipTo?, contents, issuedAt}.',
    body: SsccRequest,
    responses: {
      201: '{sscc, label, site, shipTo?, contents, issuedAt}',
      400: E400,
      404: 'site_not_found or product_not_found',
      409: 'conflict: Idempotency-Key reused with another body; invalid_state: no GS1_COMPANY_PREFIX',
    },
  },
  'get-label-sscc': {
    tag: 'labels',
    summary: 'The logistic label of an SSCC issued earlier',
    params: { sscc: SsccSchema },
    query: labelQuery({}),
    responses: { 200: 'the label', 400: E400, 404: 'sscc_not_found' },
  },
  'post-serial-warranty-claims': {
    tag: 'serials',
    summary: 'File a warranty claim on a sold unit; a replacement (same GTIN, in stock) leaves stock as a chained sell',
    description:
      "claimId is the idempotency key of the unit's claims: the same claimId and body again answers the same claim, another body 409. " +
      "reportedAt's date must be inside the unit's cover (from the day it was sold, warrantyMonths long; a replacement keeps the rest of the original's). " +
      'A replacement leaves stock as a sell (eventId warranty-claim:{gtin}:{serial}:{claimId}, reference RMA claimId, unitPrice 0) to the ' +
      "original's customer, and shows in both units' histories. Each claim counts as one defect return of the claimed unit's lot (QA hold).",
    params: { gtin: GtinSchema, serial: SerialSchema },
    body: WarrantyClaimInput,
    responses: {
      201: '{claimId, gtin, serial, lot, reportedAt, problem, resolution?, replacementSerial?, warranty: {startsOn, endsOn}, replacement?: {serial, lot, eventId, site, warranty}, recordedAt}',
      400: E400,
      404: 'serial_not_found',
      409:
        'warranty_expired; warranty_not_started (the unit was not sold on reportedAt); invalid_state (the product has no warrantyMonths); ' +
        'idempotency_key_reused (claimId used with another body); serial_not_in_stock, lot_blocked (the replacement cannot leave stock)',
      503: 'busy: the replacement could not be written in time; sending the claim again is safe',
    },
  },
  'get-serial-compatibility': {
    tag: 'serials',
    summary: 'What this very unit, of its lot, works with: one product with ?with=, else every product its rules name',
    description:
      "With with: {compatible: true|false|null, rule?, reason}; a rule naming the unit's lot wins over one for every lot. Without: {compatible: [{gtin, description, note?}], incompatible: [...]}.",
    params: { gtin: GtinSchema, serial: SerialSchema },
    query: { with: { schema: GtinSchema } },
    responses: { 200: 'the answer', 400: E400, 404: 'serial_not_found or product_not_found' },
  },
  'get-digital-link-lot': {
    tag: 'digital link',
    summary: 'GS1 Digital Link resolver for a lot (no auth, throttled): public facts as JSON, or a page in large letters',
    description:
      'With Accept: application/json (and not text/html): {gtin, lot, description, expiry, expired, recalled, recall?: {title, reason, instructions}}; ' +
      'otherwise an HTML page for whoever scanned the QR code. Stock, sites and holds are never shown.',
    params: lotParams,
    responses: { 200: 'the public facts (JSON) or the page (text/html)', 400: E400, 404: 'lot_not_found' },
  },
  'get-digital-link-serial': {
    tag: 'digital link',
    summary: 'GS1 Digital Link resolver for a unit (no auth, throttled): the public facts of its lot, with the serial',
    params: { gtin: GtinSchema, serial: SerialSchema },
    responses: { 200: 'the public facts (JSON) or the page (text/html)', 400: E400, 404: 'serial_not_found' },
  },
  'get-compliance-kde-gaps': {
    tag: 'exports',
    summary: 'FSMA 204 rows of FTL movements that lack a required key data element (KDE), with what is missing and why',
    description: 'The same rows as the KDE Gaps tab of fsma204-xlsx; paged by limit/cursor over the whole list, total counts all of it.',
    query: {
      from: { schema: DateSchema, required: true },
      to: { schema: DateSchema, required: true },
      gtin: { schema: GtinSchema },
      ...pageQuery,
    },
    responses: { 200: '{items: [{eventId, cte, gtin, lot, eventTime, missing, why}], total, nextCursor?}', 400: E400_PAGE },
  },
  'post-fda-requests': {
    tag: 'fda requests',
    summary: 'Record an FDA records request (21 CFR 1.1455(c)): due 24 hours after requestedAt; its package is built asynchronously',
    body: FdaRequestInput,
    responses: { 201: '{requestId, dueBy, status: preparing, timeLeft, ...}', 400: E400, 503: 'busy: the export queue did not take it' },
  },
  'get-fda-requests': { tag: 'fda requests', summary: 'Every FDA request, open ones first', responses: { 200: '{items}' } },
  'get-fda-request': {
    tag: 'fda requests',
    summary: 'An FDA request: status, deadline, time left (seconds), package files with SHA-256, KDE gaps, download URL once ready',
    params: { requestId: FdaRequestIdParam },
    responses: { 200: 'the request', 404: 'fda_request_not_found' },
  },
  'post-fda-request-sign-off': {
    tag: 'fda requests',
    summary: 'Sign off the package (who checked it); a new package version carries the sign-off in its manifest',
    params: { requestId: FdaRequestIdParam },
    body: SignOffInput,
    responses: { 200: 'the request (preparing the signed version)', 400: E400, 404: 'fda_request_not_found', 409: 'invalid_state: not ready' },
  },
  'post-fda-request-sent': {
    tag: 'fda requests',
    summary: 'Record when and how the package went to FDA',
    params: { requestId: FdaRequestIdParam },
    body: SentInput,
    responses: { 200: 'the request (sent)', 400: E400, 404: 'fda_request_not_found', 409: 'invalid_state: not ready' },
  },
  'post-exports': {
    tag: 'exports',
    summary:
      'Start an audit export (FSMA 204 CSV or xlsx, EPCIS 2.0 JSON-LD) of a date range; it runs asynchronously. Send Idempotency-Key to make retries safe',
    body: ExportRequest,
    responses: {
      202: '{exportId, status, format, bucket, key, manifestKey}',
      400: E400,
      409: 'conflict: the Idempotency-Key was used for another request',
      503: 'busy: the export queue did not take the job',
    },
  },
  'get-exports': {
    tag: 'exports',
    summary: 'Exports started, newest first (extension); GET /exports/{exportId} has the download URL',
    query: {
      status: { schema: ExportStatusSchema },
      limit: { schema: LimitSchema.describe('1-1000 exports a page, default 50') },
      cursor: { schema: CursorSchema },
    },
    responses: {
      200: '{items: [{exportId, status, format, request, requestedBy, createdAt, completedAt?, rowCount?, bytes?, sha256?, kdeGaps?, error?}], nextCursor?}',
      400: E400_PAGE,
    },
  },
  'get-export': {
    tag: 'exports',
    summary: 'An export: status, and once complete a presigned download URL (15 minutes), its sha256 and manifest',
    params: { exportId: ExportIdParam },
    responses: { 200: '{exportId, status, format, rowCount?, bucket, key, sha256, url?, manifestKey?, manifest?, error?}', 404: 'export_not_found' },
  },
};

const jsonSchema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

/** The OpenAPI 3.1 document of every route in ROUTES, from the zod schemas the handlers validate with. */
export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const doc = API_DOCS[r.handler];
    if (!doc) throw new Error(`infra/openapi.ts has no documentation for ${r.method} ${r.path} (${r.handler})`);
    const parameters = [
      ...Object.entries(doc.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema) })),
      ...Object.entries(doc.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: Boolean(q.required), schema: jsonSchema(q.schema) })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(doc.responses)) {
      responses[status] =
        Number(status) >= 400
          ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
          : { description };
    }
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method.toLowerCase()] = {
      operationId: r.handler,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [doc.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } } : {}),
      responses,
      'x-amazon-apigateway-auth': { type: r.auth === 'none' ? 'NONE' : 'AWS_IAM' },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lotledger',
      version,
      description:
        'Lot and serial traceability. The contract is ../shared/CONTRACT.md; this document is generated from the zod schemas the handlers validate with (npm run openapi).',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start (no auth); in AWS the HTTP API uses IAM (SigV4) auth' }],
    paths,
    components: { schemas: { Error: ErrorBody } },
  };
}
