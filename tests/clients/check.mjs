// Drives the official client libraries of Zendesk, GitLab and Salesforce
// against a running `hb sandbox` (its export lines in the environment),
// for the operations hb's bindings use. Exits 1 on the first mismatch.
import assert from 'node:assert/strict';
import zendesk from 'node-zendesk';
import { Gitlab } from '@gitbeaker/rest';
import jsforce from 'jsforce';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run under tests/clients/run.sh`);
  return v;
};
const checks = [];
const check = (name, fn) => checks.push([name, fn]);

check('node-zendesk: tickets, comments, tags, organizations, forms, users, search', async () => {
  const zd = zendesk.createClient({
    username: env('ZENDESK_EMAIL'),
    token: env('ZENDESK_API_TOKEN'),
    endpointUri: `${env('ZENDESK_URL')}/api/v2`,
  });
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
});

check('@gitbeaker/rest: projects by path, issues, pagination, notes, templates', async () => {
  const gl = new Gitlab({ host: env('GITLAB_URL'), token: env('GITLAB_TOKEN') });
  const path = 'gitlab-com/support/support-ops/zendesk-organizations';
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
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}\n     ${err.stack?.split('\n').slice(0, 4).join('\n     ')}`);
  }
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
