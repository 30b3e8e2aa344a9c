// Drives the official client libraries of Zendesk, GitLab, Salesforce, Slack
// and PagerDuty against a running `hb sandbox` (its export lines in the
// environment), for the operations hb's bindings use, and checks what the
// sandbox's state and request log show afterwards. Run by run.sh.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import zendesk from 'node-zendesk';
import { Gitlab } from '@gitbeaker/rest';
import jsforce from 'jsforce';
import { WebClient, ErrorCode, LogLevel, WebClientEvent } from '@slack/web-api';
import { api as pagerduty, event as pagerdutyEvent } from '@pagerduty/pdjs';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run under tests/clients/run.sh`);
  return v;
};
const checks = [];
const check = (name, fn) => checks.push([name, fn]);

// ---- the sandbox's own endpoints ----

const origin = new URL(env('ZENDESK_URL')).origin;
const sandbox = async (path, init) => {
  const r = await fetch(`${origin}/__sandbox${path}`, init);
  assert.equal(r.status, 200, `/__sandbox${path}: ${r.status}`);
  return r.json();
};
const state = () => sandbox('/state');
const lastSeq = async () => (await sandbox('/requests')).at(-1)?.seq ?? 0;
// The requests to a route since seq, as the log records them.
const requests = async (since, route) =>
  (await sandbox(`/requests?since=${since}`)).filter((r) => !route || r.route === route);
const patch = (body) => sandbox('/patch', { method: 'POST', body: JSON.stringify(body) });
const faults = (spec) => sandbox('/faults', { method: 'POST', body: spec });

// pdjs always builds https://HOST/... URLs: a TLS front on loopback (the
// certificate comes from run.sh) hands the bytes to the plain-HTTP sandbox.
const tlsFront = async () => {
  const sandboxUrl = new URL(origin);
  const server = tls.createServer({
    key: fs.readFileSync(env('HB_CLIENT_TLS_KEY')),
    cert: fs.readFileSync(env('NODE_EXTRA_CA_CERTS')),
  }, (socket) => {
    const upstream = net.connect(Number(sandboxUrl.port), sandboxUrl.hostname);
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `127.0.0.1:${server.address().port}`;
};

// ---- Zendesk, GitLab, Salesforce ----

check('node-zendesk: tickets, comments, tags, organizations, forms, users, search', async () => {
  const zd = zendesk.createClient({
    username: env('ZENDESK_EMAIL'),
    token: env('ZENDESK_API_TOKEN'),
    endpointUri: `${env('ZENDESK_URL')}/api/v2`,
  });
  const since = await lastSeq();
  const { result: ticket } = await zd.tickets.show(1001);
  assert.equal(ticket.id, 1001);
  const { result: updated } = await zd.tickets.update(1001, {
    ticket: { comment: { body: 'node-zendesk internal note', public: false } },
  });
  assert.equal(updated.id, 1001);
  const comments = await zd.tickets.getComments(1001);
  assert.equal(comments.at(-1).body, 'node-zendesk internal note');
  assert.equal(comments.at(-1).public, false);
  const tags = await zd.tickets.addTags(1002, { tags: ['from_node'] });
  assert.ok(JSON.stringify(tags).includes('from_node'));
  const { result: org } = await zd.organizations.show(2002);
  assert.equal(org.organization_fields.zuora_account_number, 'A00002002');
  const { result: org2 } = await zd.organizations.update(2001, { organization: { notes: 'node' } });
  assert.equal(org2.notes, 'node');
  const forms = await zd.ticketforms.list();
  assert.ok(forms.some((f) => f.name === 'Support Ops'));
  const { result: user } = await zd.users.show(503);
  assert.equal(user.email, 'olivia.owner@gitlab.example');
  const found = await zd.search.queryAll('type:ticket tags:lnr_merge_subscriptions');
  assert.deepEqual(found.map((t) => t.id).sort(), [1011, 1012]);
  const [put] = await requests(since, 'PUT /api/v2/tickets/{id}');
  assert.equal(put.body.ticket.comment.public, false);
});

check('@gitbeaker/rest: projects by path, issues, pagination, notes, templates', async () => {
  const gl = new Gitlab({ host: env('GITLAB_URL'), token: env('GITLAB_TOKEN') });
  const path = 'gitlab-com/support/support-ops/zendesk-organizations';
  const since = await lastSeq();
  const project = await gl.Projects.show(path);
  assert.equal(project.id, 20001);
  const issue = await gl.Issues.create(path, 'Offering migration: ticket 1001', {
    description: 'Support level: premium', labels: 'Offering migration',
  });
  assert.equal(issue.iid, 3);
  for (const n of [1, 2, 3]) await gl.Issues.create(path, `paged ${n}`, { labels: 'paged' });
  const paged = await gl.Issues.all({ projectId: path, labels: 'paged', perPage: 2 });
  assert.equal(paged.length, 3); // followed x-next-page / Link across two pages
  const edited = await gl.Issues.edit(path, issue.iid, { addLabels: 'done', stateEvent: 'close' });
  assert.equal(edited.state, 'closed');
  assert.ok(edited.labels.includes('done'));
  const shown = await gl.Issues.show(issue.iid, { projectId: path });
  assert.equal(shown.state, 'closed');
  await gl.IssueNotes.create(path, issue.iid, 'first note');
  const notes = await gl.IssueNotes.all(path, issue.iid, { sort: 'asc', orderBy: 'created_at' });
  assert.ok(notes.some((n) => n.body === 'first note'));
  const tpl = await gl.ProjectTemplates.show('gitlab-com/gl-security/corp/cust-support-ops/issue-tracker',
    'issues', 'Bug');
  assert.equal(tpl.name, 'Bug');
  const project0 = (await state()).gitlab.projects.find((p) => p.id === 20001);
  assert.equal(project0.issues.find((i) => i.iid === 3).state, 'closed');
  assert.equal((await requests(since, 'GET /api/v4/projects/{id}/issues')).length, 2);
});

check('jsforce: client credentials, SOQL with nextRecordsUrl, retrieve, update', async () => {
  const conn = new jsforce.Connection({
    oauth2: {
      clientId: env('SALESFORCE_CLIENT_ID'),
      clientSecret: env('SALESFORCE_CLIENT_SECRET'),
      loginUrl: env('SALESFORCE_URL'),
    },
    version: '60.0',
  });
  const since = await lastSeq();
  await conn.authorize({ grant_type: 'client_credentials' });
  assert.equal(conn.instanceUrl, env('SALESFORCE_URL'));
  const opps = await conn.query(
    "SELECT Id, Type, Owner.Name, Owner.Email FROM Opportunity WHERE AccountId = '0015e0000UMBR01AAA'");
  assert.equal(opps.totalSize, 2);
  assert.equal(opps.records[0].Owner.Email, 'olivia.owner@gitlab.example');
  const all = await conn.query('SELECT Id, Name FROM Account', { autoFetch: true, maxFetch: 100 });
  assert.equal(all.records.length, 13); // followed several nextRecordsUrl pages
  const opp = await conn.sobject('Opportunity').retrieve('0065e0000UMBRN2AAA');
  assert.equal(opp.Type, 'New Business');
  const res = await conn.sobject('Opportunity').update({ Id: '0065e0000UMBRN2AAA', Type: 'Add-On Business' });
  assert.equal(res.success, true);
  const again = await conn.sobject('Opportunity').retrieve('0065e0000UMBRN2AAA');
  assert.equal(again.Type, 'Add-On Business');
  const [token] = await requests(since, 'POST /services/oauth2/token');
  assert.equal(token.body.client_secret, '[redacted]');
});

// ---- Slack ----

const slackApiUrl = `${env('SLACK_URL')}/api/`;
const slackClient = (options = {}) =>
  new WebClient(env('SLACK_BOT_TOKEN'), { slackApiUrl, logLevel: LogLevel.ERROR, ...options });
const platformError = (code) => (err) => {
  assert.equal(err.code, ErrorCode.PlatformError);
  assert.equal(err.data.ok, false);
  assert.equal(err.data.error, code);
  return true;
};

check('@slack/web-api: auth.test, conversations.list across cursors, users.lookupByEmail', async () => {
  const slack = slackClient();
  const me = await slack.auth.test();
  assert.equal(me.user_id, 'U0BOTHB001');
  assert.equal(me.bot_id, 'B0BOTHB001');
  const since = await lastSeq();
  const names = [];
  for await (const page of slack.paginate('conversations.list', { limit: 2, exclude_archived: true })) {
    names.push(...page.channels.map((c) => c.name));
  }
  assert.deepEqual(names,
    ['general', 'support_operations', 'support-operations', 'support_sales_escalation', 'random']);
  const pages = await requests(since, 'POST /slack/api/conversations.list');
  assert.equal(pages.length, 3);
  assert.equal(pages[0].body.cursor, undefined);
  assert.ok(pages[2].body.cursor);
  assert.match(pages[0].headers['user-agent'], /@slack:web-api/);
  const owner = await slack.users.lookupByEmail({ email: 'olivia.owner@gitlab.example' });
  assert.equal(owner.user.id, 'U0OLIVI503');
  assert.equal(owner.user.profile.email, 'olivia.owner@gitlab.example');
  await assert.rejects(slack.users.lookupByEmail({ email: 'dave.departed@gitlab.example' }),
    platformError('users_not_found'));
});

check('@slack/web-api: a thread in #support-operations answered by Support Ops, replies, update', async () => {
  const slack = slackClient();
  const post = await slack.chat.postMessage({
    channel: '#support-operations', text: 'Zendesk: agents cannot log in (Mission Critical)',
  });
  assert.equal(post.channel, 'C0SUPOPS02');
  const mine = await slack.chat.postMessage({ channel: post.channel, thread_ts: post.ts, text: 'Since 10:02 UTC' });
  assert.equal(mine.message.thread_ts, post.ts);
  // What a scenario says as "Support Ops answered in the thread".
  await patch({ slack: { channels: { 'support-operations': { messages: { '+': {
    user: 'sofia.ops@gitlab.example', text: 'Looking now', thread_ts: '@last' } } } } } });
  const thread = await slack.conversations.replies({ channel: post.channel, ts: post.ts });
  assert.deepEqual(thread.messages.map((m) => m.user), ['U0BOTHB001', 'U0BOTHB001', 'U0SOFIA505']);
  assert.equal(thread.messages[0].reply_count, 2);
  assert.deepEqual(thread.messages[0].reply_users, ['U0BOTHB001', 'U0SOFIA505']);
  assert.equal(thread.messages[2].text, 'Looking now');
  const updated = await slack.chat.update({ channel: post.channel, ts: post.ts, text: 'Zendesk: resolved' });
  assert.equal(updated.text, 'Zendesk: resolved');
  const channel = (await state()).slack.channels.find((c) => c.id === 'C0SUPOPS02');
  assert.equal(channel.messages.length, 3);
  assert.equal(channel.messages[0].text, 'Zendesk: resolved');
  assert.equal(channel.messages[0].edited.user, 'U0BOTHB001');
  assert.equal(channel.messages[2].thread_ts, post.ts);
});

check('@slack/web-api: ok:false as a platform error, a 429 waited out and retried', async () => {
  const slack = slackClient();
  await assert.rejects(slack.chat.postMessage({ channel: '#no-such-channel', text: 'x' }),
    platformError('channel_not_found'));
  await assert.rejects(slack.chat.postMessage({ channel: '#random', text: 'x' }),
    platformError('not_in_channel'));
  await assert.rejects(slackClient({ retryConfig: { retries: 0 } }).chat.postMessage({ channel: '#support_operations' }),
    platformError('no_text'));
  await assert.rejects(new WebClient('xoxb-wrong', { slackApiUrl, logLevel: LogLevel.ERROR }).auth.test(),
    platformError('invalid_auth'));

  await faults('429@POST /slack/api/chat.postMessage,next=1,retry-after=1');
  const retrying = slackClient({ retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } });
  let waited;
  retrying.on(WebClientEvent.RATE_LIMITED, (seconds) => { waited = seconds; });
  const since = await lastSeq();
  const started = Date.now();
  const ok = await retrying.chat.postMessage({ channel: 'C018ZGZAMPD', text: 'Which tag stays on org 2001?' });
  assert.equal(ok.channel, 'C018ZGZAMPD');
  assert.equal(waited, 1);
  assert.ok(Date.now() - started >= 1000, 'the client waited out Retry-After');
  const sent = await requests(since, 'POST /slack/api/chat.postMessage');
  assert.deepEqual(sent.map((r) => [r.status, r.fault ?? null]), [[429, '429'], [200, null]]);
  const channel = (await state()).slack.channels.find((c) => c.id === 'C018ZGZAMPD');
  assert.equal(channel.messages.length, 1); // posted once, not twice
});

// ---- PagerDuty ----

check('@pagerduty/pdjs: find the service, an incident with From, read by id and number, acknowledge', async () => {
  const host = await tlsFront();
  const pd = pagerduty({ token: env('PAGERDUTY_TOKEN'), server: `${host}/pagerduty` });
  const from = { From: env('PAGERDUTY_FROM') };
  const found = await pd.get('/services', { data: { query: 'Customer Support Operations' } });
  assert.equal(found.status, 200);
  assert.deepEqual(found.data.services.map((s) => s.name),
    ['Customer Support Operations', 'Customer Support Operations Lab']);
  const service = found.data.services.find((s) => s.name === 'Customer Support Operations');
  assert.equal(service.escalation_policy.summary, 'Customer Support Operations On-Call');

  const incident = {
    type: 'incident', title: 'Zendesk: agents cannot log in', urgency: 'high',
    service: { id: service.id, type: 'service_reference' },
    body: { type: 'incident_body', details: 'Posted in #support-operations; no answer in 10 minutes.' },
  };
  const refused = await pd.post('/incidents', { data: { incident } });
  assert.equal(refused.status, 400);
  assert.equal(refused.data.error.code, 2016); // the From header is required
  const since = await lastSeq();
  const created = await pd.post('/incidents', { data: { incident }, headers: from });
  assert.equal(created.status, 201);
  const { id, incident_number: number } = created.data.incident;
  assert.equal(created.data.incident.status, 'triggered');
  assert.equal(created.data.incident.assignments[0].assignee.summary, 'Sofia Ops');
  const byId = await pd.get(`/incidents/${id}`);
  assert.equal(byId.data.incident.title, incident.title);
  const byNumber = await pd.get(`/incidents/${number}`);
  assert.equal(byNumber.data.incident.id, id);
  const acked = await pd.put(`/incidents/${id}`, {
    data: { incident: { type: 'incident_reference', status: 'acknowledged' } }, headers: from,
  });
  assert.equal(acked.data.incident.status, 'acknowledged');
  const missing = await pd.get('/incidents/PNOSUCH');
  assert.equal(missing.status, 404);
  assert.equal(missing.data.error.code, 2100);

  const stored = (await state()).pagerduty.incidents.find((i) => i.id === id);
  assert.equal(stored.service_id, 'PCSOPS1');
  assert.equal(stored.requester_id, 'PSAMSBX');
  assert.equal(stored.status, 'acknowledged');
  const [post] = await requests(since, 'POST /pagerduty/incidents');
  assert.equal(post.headers.from, env('PAGERDUTY_FROM'));
  assert.equal(post.headers.accept, 'application/vnd.pagerduty+json;version=2');
});

check('@pagerduty/pdjs: Events API v2 trigger, and a 429 retried', async () => {
  const host = await tlsFront();
  const since = await lastSeq();
  const sent = await pagerdutyEvent({
    server: `${host}/pagerduty-events`,
    data: {
      routing_key: env('PAGERDUTY_ROUTING_KEY'), event_action: 'trigger',
      payload: { summary: 'Zendesk: triggers stopped', source: 'hb', severity: 'critical' },
    },
  });
  assert.equal(sent.status, 202);
  assert.equal(sent.data.status, 'success');
  assert.equal(sent.data.message, 'Event processed');
  const opened = (await state()).pagerduty.incidents.find((i) => i.incident_key === sent.data.dedup_key);
  assert.equal(opened.service_id, 'PCSOPS1');
  assert.equal(opened.title, 'Zendesk: triggers stopped');
  assert.equal(opened.alerts[0].payload.severity, 'critical');
  const [enqueued] = await requests(since, 'POST /pagerduty-events/v2/enqueue');
  assert.equal(enqueued.body.routing_key, '[redacted]');

  const bad = await pagerdutyEvent({
    server: `${host}/pagerduty-events`,
    data: { routing_key: env('PAGERDUTY_ROUTING_KEY'), event_action: 'trigger', payload: { source: 'hb' } },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.data.status, 'invalid event');

  await faults('429@GET /pagerduty/services,next=1');
  const pd = pagerduty({ token: env('PAGERDUTY_TOKEN'), server: `${host}/pagerduty` });
  const before = await lastSeq();
  const found = await pd.get('/services', { data: { query: 'Zuora' }, retryTimeout: 50 });
  assert.equal(found.status, 200);
  assert.equal(found.data.services[0].id, 'PZUORA1');
  const asked = await requests(before, 'GET /pagerduty/services');
  assert.deepEqual(asked.map((r) => r.status), [429, 200]);
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}\n     ${err.stack?.split('\n').slice(0, 6).join('\n     ')}`);
  }
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
