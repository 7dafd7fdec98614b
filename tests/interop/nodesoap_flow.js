// nodesoap_flow.js: the provisioning flow driven by node-soap (npm `soap`
// 1.6.1, installed by tests/interop/nodesoap.srvtest) against a live ngnprod
// (NGN_TEST_URL, NGN_TEST_LOGIN, NGN_TEST_PASSWORD from
// tests/lib/with-server.sh).
//
// The client is made from the served WSDL with DEFAULT options: no
// ignoredNamespaces, no overrides. node-soap then qualifies every struct
// member with the method's namespace (<sip:domain> inside <domain>), sends no
// xsi:type and no encodingStyle, and decodes each typed reply value as
// {attributes: {...}, $value: v}; plain() below unwraps that. Lists are
// passed as {item: [...]} (the SOAP-ENC array's items), never as a bare JS
// array, which node-soap would send as text or repeated elements.
// Output: "ok N - ..." / "not ok N - ..." per check, then
// "interop-nodesoap: P passed, F failed"; exit 1 on any failure.
'use strict';
const soap = require('soap');
const crypto = require('crypto');

const url = process.env.NGN_TEST_URL;
if (!url) {
	console.error('NGN_TEST_URL not set: run under tests/lib/with-server.sh');
	process.exit(2);
}
const login = process.env.NGN_TEST_LOGIN, password = process.env.NGN_TEST_PASSWORD;
let n = 0, passed = 0, failed = 0;

function ok(cond, what, diag) {
	n++;
	if (cond) {
		passed++;
		console.log(`ok ${n} - ${what}`);
	} else {
		failed++;
		console.log(`not ok ${n} - ${what}`);
		if (diag !== undefined)
			for (const l of (typeof diag === 'string' ? diag : JSON.stringify(diag, null, 1)).split('\n'))
				console.log(`#   ${l}`);
	}
	return cond;
}
function finish() {
	console.log(`interop-nodesoap: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

// {attributes, $value} -> value; objects and arrays recursively
function plain(v) {
	if (Array.isArray(v))
		return v.map(plain);
	if (v === null || typeof v !== 'object')
		return v;
	if ('$value' in v)
		return plain(v.$value);
	const o = {};
	for (const [k, x] of Object.entries(v))
		if (k !== 'attributes')
			o[k] = plain(x);
	return o;
}
// a SOAP-ENC array as node-soap decodes it: {item: x} for one, {item: [..]} for more, no item for none
function items(v) {
	if (v === undefined || v === null || typeof v !== 'object' || v.item === undefined)
		return [];
	return Array.isArray(v.item) ? v.item : [v.item];
}
const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
const fixed4 = (x) => Number(x).toFixed(4);

let client;
// call(op, args) -> {result} or {fault: {faultcode, code, errorstring}, raw}
async function call(op, args) {
	try {
		const r = await client[op + 'Async'](args);
		return { result: plain(r[0] ? r[0].return : undefined) };
	} catch (e) {
		const f = e && e.root && e.root.Envelope && e.root.Envelope.Body && e.root.Envelope.Body.Fault;
		if (!f)
			return { error: String(e && e.stack || e) };
		const p = plain(f);
		const x = p.detail && p.detail.exception ? p.detail.exception : {};
		return { fault: { faultcode: p.faultcode, code: x.errorcode, errorstring: x.errorstring } };
	}
}
function describe(r) {
	return JSON.stringify(r.fault || r.error || r.result);
}
async function must(what, op, args) {
	const r = await call(op, args);
	ok(!r.fault && !r.error, what, describe(r));
	return r.result;
}
async function mustFault(what, want, op, args) {
	const r = await call(op, args);
	ok(r.fault && Number(r.fault.code) === want, `${what}: fault ${want}`, describe(r));
	ok(r.fault && /(^|:)Client$/.test(r.fault.faultcode || ''), `${what}: a Client fault`, describe(r));
	ok(r.fault && typeof r.fault.errorstring === 'string' && r.fault.errorstring.length > 0,
	   `${what}: errorstring present`, describe(r));
}

const dom = 'nodesoap.example';
const sid = (u) => ({ username: u, domain: dom });
const sorted = (l) => [...l].sort().join(',');

async function main() {
	client = await soap.createClientAsync(url + '?wsdl');
	ok(typeof client.addDomainAsync === 'function' && typeof client.getPrepaidStatusAsync === 'function',
	   'the served WSDL loads with default options');
	client.addSoapHeader({ auth: { username: login, password: password } });

	// domains
	await must('addDomain', 'addDomain', { domain: { domain: dom, reseller: 3 } });
	await mustFault('addDomain twice', 1001, 'addDomain', { domain: { domain: dom } });
	await must('updateDomain', 'updateDomain', { domain: { domain: dom, customer: 5 } });
	let r = await must('getDomains', 'getDomains',
			   { query: { filter: { domain: dom }, range: { start: 0, count: 10 } } });
	const doms = r ? items(r.domains) : [];
	ok(r && Number(r.total) === 1 && doms.length === 1 && doms[0].domain === dom
	   && Number(doms[0].customer) === 5 && Number(doms[0].reseller) === 3,
	   'getDomains: the domain, updated', r);

	// accounts with groups, properties and an acl
	const alice = {
		id: sid('alice'), password: 'first-pw', firstName: 'Alice', lastName: 'Smith',
		email: `alice@${dom}`, timezone: 'Europe/Amsterdam',
		groups: { item: ['free-pstn', 'blocked'] },
		prepaid: false, quota: 7,
		acl: { item: [{ ip: '10.0.0.0', mask: 8 }] },
		properties: { item: [{ name: 'language', value: 'en' }, { name: 'web_password', value: 'x' }] },
	};
	r = await must('addAccount', 'addAccount', { account: alice });
	ok(r && r.id && r.id.username === 'alice' && r.id.domain === dom, 'addAccount returns the account', r);
	await mustFault('addAccount of an existing account', 1011, 'addAccount', { account: alice });
	await mustFault('getAccount of a missing account', 1010, 'getAccount', { sipId: sid('nobody') });

	let acc = await must('getAccount', 'getAccount', { sipId: sid('alice') });
	if (acc) {
		ok(acc.firstName === 'Alice' && acc.lastName === 'Smith' && acc.email === `alice@${dom}`,
		   'names and e-mail stored', acc);
		ok(acc.prepaid === false, 'prepaid decodes as false', acc.prepaid);
		ok(acc.quota === 7, 'quota decodes as the number 7', acc.quota);
		ok(sorted(items(acc.groups)) === 'blocked,free-pstn', 'groups stored', acc.groups);
		const p = Object.fromEntries(items(acc.properties).map((x) => [x.name, x.value]));
		ok(items(acc.properties).length === 2 && p.language === 'en' && p.web_password === 'x',
		   'properties stored', acc.properties);
		const acl = items(acc.acl);
		ok(acl.length === 1 && acl[0].ip === '10.0.0.0' && Number(acl[0].mask) === 8, 'acl stored', acc.acl);
		ok(acc.ha1 === md5(`alice:${dom}:first-pw`), 'ha1 = MD5(user:domain:password)', acc.ha1);
	}

	// update: lists replace the stored ones, absent members stay
	await must('updateAccount', 'updateAccount', { account: {
		id: sid('alice'), password: 'second-pw', lastName: 'Jones',
		groups: { item: ['free-pstn'] },
		properties: { item: [{ name: 'language', value: 'nl' }] },
		acl: {},
	} });
	acc = await must('getAccount after update', 'getAccount', { sipId: sid('alice') });
	if (acc) {
		ok(acc.firstName === 'Alice' && acc.lastName === 'Jones', 'absent members kept, given ones changed', acc);
		ok(sorted(items(acc.groups)) === 'free-pstn', 'groups replaced', acc.groups);
		const props = items(acc.properties);
		ok(props.length === 1 && props[0].name === 'language' && props[0].value === 'nl', 'properties replaced', props);
		ok(items(acc.acl).length === 0, 'empty acl stored as an empty list', acc.acl);
		ok(acc.ha1 === md5(`alice:${dom}:second-pw`), 'password changed', acc.ha1);
	}

	// groups
	await must('addToGroup quota', 'addToGroup', { sipId: sid('alice'), group: 'quota' });
	r = await must('getGroups', 'getGroups', { sipId: sid('alice') });
	ok(sorted(items(r)) === 'free-pstn,quota', 'getGroups lists free-pstn and quota', r);
	await must('removeFromGroup quota', 'removeFromGroup', { sipId: sid('alice'), group: 'quota' });
	r = await must('getGroups after remove', 'getGroups', { sipId: sid('alice') });
	ok(sorted(items(r)) === 'free-pstn', 'quota removed', r);
	await mustFault('removeFromGroup of a non-member', 1031, 'removeFromGroup', { sipId: sid('alice'), group: 'quota' });

	// listing
	for (const u of ['bob', 'carol'])
		await must(`addAccount ${u}`, 'addAccount', { account: { id: sid(u), password: `pw-${u}`, prepaid: u === 'carol' } });
	r = await must('getAccounts page 2', 'getAccounts', { query: { filter: { domain: dom },
		orderBy: { attribute: 'username', direction: 'ASC' }, range: { start: 1, count: 2 } } });
	const page = r ? items(r.accounts) : [];
	ok(r && Number(r.total) === 3 && page.length === 2 && page[0].id.username === 'bob'
	   && page[1].id.username === 'carol', 'getAccounts: total, range and order', r);

	// prepaid: values are xsd:decimal text, exact; node-soap decodes them as numbers
	r = await must('addBalance 0.1', 'addBalance', { sipId: sid('carol'), value: '0.1', description: 'first' });
	ok(r && fixed4(r.old_balance) === '0.0000' && fixed4(r.new_balance) === '0.1000', 'balance 0 -> 0.1', r);
	r = await must('addBalance 0.2', 'addBalance', { sipId: sid('carol'), value: '0.2', description: 'second' });
	ok(r && fixed4(r.old_balance) === '0.1000' && fixed4(r.new_balance) === '0.3000', '0.1 + 0.2 is exactly 0.3', r);
	await mustFault('addBalance on a non-prepaid account', 2000, 'addBalance',
			{ sipId: sid('bob'), value: '1', description: 'no' });
	await mustFault('addBalance of an invalid amount', 2021, 'addBalance',
			{ sipId: sid('carol'), value: '0.00001', description: 'no' });
	r = await must('getPrepaidStatus', 'getPrepaidStatus', { sipIds: { item: [sid('carol'), sid('bob')] } });
	const st = items(r);
	ok(st.length === 2 && st[0].id.username === 'carol' && st[0].prepaid === true && fixed4(st[0].balance) === '0.3000'
	   && st[1].id.username === 'bob' && Number(st[1].errorcode) === 2000,
	   'getPrepaidStatus: one entry per id, in order', r);
	r = await must('getCreditHistory', 'getCreditHistory', { sipId: sid('carol'), count: 10 });
	const h = r ? items(r.entries) : [];
	ok(h.length === 2 && h[0].description === 'second' && fixed4(h[0].value) === '0.2000'
	   && fixed4(h[0].balance) === '0.3000', 'history: 2 entries, newest first', r);

	// a wrong login, then clean up
	client.clearSoapHeaders();
	client.addSoapHeader({ auth: { username: login, password: 'not-the-password' } });
	await mustFault('wrong password', 3001, 'getAccount', { sipId: sid('alice') });
	client.clearSoapHeaders();
	client.addSoapHeader({ auth: { username: login, password: password } });
	await mustFault('deleteDomain with accounts', 1002, 'deleteDomain', { domain: dom });
	for (const u of ['alice', 'bob', 'carol'])
		await must(`deleteAccount ${u}`, 'deleteAccount', { sipId: sid(u) });
	await mustFault('getAccount of a deleted account', 1010, 'getAccount', { sipId: sid('alice') });
	await must('deleteDomain', 'deleteDomain', { domain: dom });
	r = await must('getDomains after delete', 'getDomains',
		       { query: { filter: { domain: dom }, range: { start: 0, count: 10 } } });
	ok(r && Number(r.total) === 0, 'domain gone', r);
	finish();
}

main().catch((e) => {
	ok(false, 'flow ran to the end', String(e && e.stack || e));
	finish();
});
