<?php
/* php_flow.php MODE: the full provisioning flow driven by PHP's SoapClient
 * against a live ngnprod (NGN_TEST_URL, NGN_TEST_LOGIN, NGN_TEST_PASSWORD,
 * set by tests/lib/with-server.sh).
 *
 * MODE wsdl:   SoapClient loads the WSDL from the server's ?wsdl and calls
 *              the operations with positional arguments (PHP arrays).
 * MODE nowsdl: SoapClient(null, location + uri, SOAP_RPC, SOAP_ENCODED): the
 *              way ad-hoc PHP integrations call NGNPro; named SoapParams,
 *              structs as objects (arrays would become apache Map items),
 *              the header as SoapHeader('urn:AGProjects:NGNPro', 'auth', ...).
 *
 * Besides the results it checks the PHP types the replies decode to (bool,
 * int, list, [] for empty lists), because CDRTool-era code does
 * `if ($account->prepaid)` and `foreach ($result->accounts ...)`.
 * Output: one "ok N - ..." / "not ok N - ..." line per check, then
 * "interop-php-MODE: P passed, F failed[, S skipped]"; exit 1 on any failure.
 * Every check counts: nothing is skipped. */

ini_set('soap.wsdl_cache_enabled', '0');
ini_set('default_socket_timeout', '10');
error_reporting(E_ALL);

$mode = $argv[1] ?? 'wsdl';
$name = "interop-php-$mode";
$url = getenv('NGN_TEST_URL') ?: die("NGN_TEST_URL not set: run under tests/lib/with-server.sh\n");
$login = getenv('NGN_TEST_LOGIN');
$password = getenv('NGN_TEST_PASSWORD');

$n = 0; $passed = 0; $failed = 0; $skipped = 0;
function ok($cond, $what, $diag = null) {
    global $n, $passed, $failed;
    $n++;
    if ($cond) { $passed++; echo "ok $n - $what\n"; }
    else {
        $failed++; echo "not ok $n - $what\n";
        if ($diag !== null) foreach (explode("\n", is_string($diag) ? $diag : var_export($diag, true)) as $l) echo "#   $l\n";
    }
    return $cond;
}
function skip($what, $why) {
    global $n, $skipped;
    $n++; $skipped++;
    echo "ok $n - $what # SKIP $why\n";
}
function finish() {
    global $name, $passed, $failed, $skipped;
    echo "$name: $passed passed, $failed failed" . ($skipped ? ", $skipped skipped" : "") . "\n";
    exit($failed ? 1 : 0);
}

/* structs as objects, lists as lists (non-WSDL mode needs that) */
function obj($v) {
    if (!is_array($v)) return $v;
    if ($v === [] || array_keys($v) === range(0, count($v) - 1)) return array_map('obj', $v);
    $o = new stdClass();
    foreach ($v as $k => $x) $o->$k = obj($x);
    return $o;
}

/* The detail's errorcode, whichever shape the mode gives it. */
function fault_code($f) {
    if (!($f instanceof SoapFault) || !isset($f->detail)) return null;
    $d = $f->detail;
    $e = is_object($d) && isset($d->exception) ? $d->exception : null;
    if ($e instanceof SoapVar) $e = $e->enc_value;
    if (is_object($e) && isset($e->errorcode)) return (int)$e->errorcode;
    if (is_array($e) && isset($e['errorcode'])) return (int)$e['errorcode'];
    return null;
}
function fault_string($f) {
    if (!($f instanceof SoapFault) || !isset($f->detail->exception)) return null;
    $e = $f->detail->exception;
    if ($e instanceof SoapVar) $e = $e->enc_value;
    return is_object($e) && isset($e->errorstring) ? $e->errorstring : null;
}

function make_client($user, $pass) {
    global $mode, $url;
    $opts = ['trace' => 1, 'exceptions' => true, 'connection_timeout' => 5, 'cache_wsdl' => WSDL_CACHE_NONE];
    if ($mode === 'wsdl') {
        $c = new SoapClient($url . '?wsdl', $opts);
    } else {
        $c = new SoapClient(null, $opts + ['location' => $url, 'uri' => 'urn:AGProjects:NGNPro:Sip',
                                           'style' => SOAP_RPC, 'use' => SOAP_ENCODED]);
    }
    $auth = ['username' => $user, 'password' => $pass, 'admin' => true];
    $c->__setSoapHeaders(new SoapHeader('urn:AGProjects:NGNPro', 'auth', $mode === 'wsdl' ? $auth : (object)$auth));
    return $c;
}

/* call(op, [name => value, ...]): the result, or the SoapFault */
function call($c, $op, $params) {
    global $mode;
    try {
        if ($mode === 'wsdl')
            return $c->__soapCall($op, array_values($params));
        $args = [];
        foreach ($params as $k => $v) $args[] = new SoapParam(obj($v), $k);
        return $c->__soapCall($op, $args);
    } catch (SoapFault $f) {
        return $f;
    }
}
function is_fault($r) { return $r instanceof SoapFault; }
function describe($r, $c = null) {
    if ($r instanceof SoapFault) return "SoapFault {$r->faultcode}: {$r->getMessage()} (errorcode " . var_export(fault_code($r), true) . ")"
        . ($c ? "\nrequest: " . $c->__getLastRequest() . "\nresponse: " . $c->__getLastResponse() : "");
    return var_export($r, true);
}
/* a call that must succeed */
function must($c, $op, $params, $what = null) {
    $r = call($c, $op, $params);
    ok(!is_fault($r), $what ?? "$op succeeds", describe($r, $c));
    return $r;
}
/* a call that must fault with code */
function must_fault($c, $op, $params, $code, $what) {
    $r = call($c, $op, $params);
    ok(is_fault($r) && fault_code($r) === $code, $what, describe($r));
    if (is_fault($r)) {
        ok($r->faultcode === 'Client' || $r->faultcode === 'SOAP-ENV:Client', "$what: a Client fault", $r->faultcode);
        ok(is_string(fault_string($r)) && fault_string($r) !== '', "$what: errorstring present");
    }
    return $r;
}
function sorted($a) { $a = (array)$a; sort($a); return $a; }
/* exact decimal comparison of a decoded balance ("10.15", "10.1500" or 10.15) */
function dec_eq($v, $want) {
    if (!is_string($v) && !is_float($v) && !is_int($v)) return false;
    $s = is_string($v) ? trim($v) : (string)$v;
    if (!preg_match('/^-?\d+(\.\d+)?$/', $s)) return false;
    return bccomp_lite($s, $want) === 0;
}
function norm_dec($s) {
    $neg = $s[0] === '-'; if ($neg) $s = substr($s, 1);
    [$i, $f] = array_pad(explode('.', $s, 2), 2, '');
    $i = ltrim($i, '0'); $f = rtrim($f, '0');
    if ($i === '') $i = '0';
    $r = $f === '' ? $i : "$i.$f";
    return ($neg && $r !== '0') ? "-$r" : $r;
}
function bccomp_lite($a, $b) { return norm_dec($a) === norm_dec($b) ? 0 : 1; }

/* ---------------------------------------------------------------------------- */

try {
    $c = make_client($login, $password);
} catch (Throwable $e) {
    ok(false, "SoapClient created ($mode)", $e->getMessage());
    finish();
}
ok(true, "SoapClient created ($mode)");

$dom = "php-$mode.example";
$sid = function ($u) use ($dom) { return ['username' => $u, 'domain' => $dom]; };

/* domain */
$r = must($c, 'addDomain', ['domain' => ['domain' => $dom, 'customer' => 0, 'reseller' => 0]]);
if (is_fault($r) && fault_code($r) === 9002) { ok(false, "the Sip operations are implemented (core merged)"); finish(); }
must_fault($c, 'addDomain', ['domain' => ['domain' => $dom, 'customer' => 0, 'reseller' => 0]], 1001, "addDomain twice: fault 1001");
$r = must($c, 'getDomains', ['query' => ['filter' => ['domain' => $dom], 'range' => ['start' => 0, 'count' => 10]]]);
if (!is_fault($r)) {
    ok(isset($r->total) && $r->total === 1, "getDomains total is int 1", describe($r));
    ok(is_array($r->domains) && count($r->domains) === 1 && $r->domains[0]->domain === $dom, "getDomains lists the domain", describe($r));
}

/* account with groups, properties, acl */
$alice = ['id' => $sid('alice'), 'password' => 'first-pw', 'firstName' => 'Alice', 'lastName' => 'Smith',
          'email' => "alice@$dom", 'timezone' => 'Europe/Amsterdam', 'owner' => 0, 'rpid' => '31208005100',
          'groups' => ['free-pstn', 'blocked'], 'prepaid' => false, 'quota' => 7,
          'acl' => [['ip' => '10.0.0.0', 'mask' => 8]],
          'properties' => [['name' => 'language', 'value' => 'en'], ['name' => 'web_password', 'value' => 'x']],
          'callLimit' => 2];
$r = must($c, 'addAccount', ['account' => $alice]);
ok(!is_fault($r) && isset($r->id) && $r->id->username === 'alice' && $r->id->domain === $dom,
   "addAccount returns the account with id.username/id.domain", describe($r));
must_fault($c, 'addAccount', ['account' => $alice], 1011, "addAccount of an existing account: fault 1011");
must_fault($c, 'getAccount', ['sipId' => $sid('nobody')], 1010, "getAccount of a missing account: fault 1010");

$a = must($c, 'getAccount', ['sipId' => $sid('alice')]);
if (!is_fault($a)) {
    ok(is_object($a) && $a->id->username === 'alice', "getAccount returns an object");
    ok(is_bool($a->prepaid) && $a->prepaid === false, "prepaid decodes as PHP bool false", describe($a->prepaid ?? null));
    ok(is_int($a->quota) && $a->quota === 7, "quota decodes as int 7", describe($a->quota ?? null));
    ok(is_array($a->groups) && sorted($a->groups) === ['blocked', 'free-pstn'], "groups decode as a list", describe($a->groups ?? null));
    ok(is_array($a->properties) && count($a->properties) === 2 && is_object($a->properties[0]), "properties decode as a list of objects", describe($a->properties ?? null));
    $props = [];
    foreach ((array)($a->properties ?? []) as $p) $props[$p->name] = $p->value;
    ok($props === ['language' => 'en', 'web_password' => 'x'] || $props == ['language' => 'en', 'web_password' => 'x'], "properties stored", describe($props));
    ok(is_array($a->acl) && count($a->acl) === 1 && $a->acl[0]->ip === '10.0.0.0' && $a->acl[0]->mask === 8, "acl stored, mask as int", describe($a->acl ?? null));
    ok($a->firstName === 'Alice' && $a->lastName === 'Smith' && $a->email === "alice@$dom" && $a->rpid === '31208005100', "names, email, rpid stored");
    ok(isset($a->ha1) && $a->ha1 === md5("alice:$dom:first-pw"), "ha1 = MD5(user:domain:password)", describe($a->ha1 ?? null));
    ok(($a->callLimit ?? null) === 2, "callLimit as int", describe($a->callLimit ?? null));

    /* update: groups replaced, properties replaced, password changed; the
     * object as getAccount returned it, like CDRTool does */
    $u = json_decode(json_encode($a), true);
    $u['groups'] = ['free-pstn'];
    $u['properties'] = [['name' => 'language', 'value' => 'nl']];
    $u['password'] = 'second-pw';
    $u['quota'] = 9;
    $u['acl'] = [];
    must($c, 'updateAccount', ['account' => $u], "updateAccount with the object from getAccount");
    $b = must($c, 'getAccount', ['sipId' => $sid('alice')], "getAccount after update");
    if (!is_fault($b)) {
        ok($b->groups === ['free-pstn'], "groups replaced", describe($b->groups));
        ok(count($b->properties) === 1 && $b->properties[0]->name === 'language' && $b->properties[0]->value === 'nl', "properties replaced", describe($b->properties));
        ok($b->acl === [], "empty acl decodes as []", describe($b->acl));
        ok($b->quota === 9, "quota updated", describe($b->quota));
        ok($b->ha1 === md5("alice:$dom:second-pw"), "password changed (ha1)", describe($b->ha1));
        ok($b->firstName === 'Alice', "unchanged members kept");
    }
    /* an update without password leaves it unchanged */
    $u2 = ['id' => $sid('alice'), 'firstName' => 'Alicia'];
    must($c, 'updateAccount', ['account' => $u2], "updateAccount without password");
    $b = call($c, 'getAccount', ['sipId' => $sid('alice')]);
    ok(!is_fault($b) && $b->ha1 === md5("alice:$dom:second-pw") && $b->firstName === 'Alicia', "absent password leaves it unchanged", describe($b));
}

/* groups one by one */
must($c, 'addToGroup', ['sipId' => $sid('alice'), 'group' => 'quota']);
must($c, 'addToGroup', ['sipId' => $sid('alice'), 'group' => 'quota'], "addToGroup again (idempotent)");
$g = must($c, 'getGroups', ['sipId' => $sid('alice')]);
ok(is_array($g) && sorted($g) === ['free-pstn', 'quota'], "getGroups lists free-pstn and quota", describe($g));
must($c, 'removeFromGroup', ['sipId' => $sid('alice'), 'group' => 'quota']);
$g = must($c, 'getGroups', ['sipId' => $sid('alice')]);
ok(is_array($g) && $g === ['free-pstn'], "quota removed", describe($g));
must_fault($c, 'removeFromGroup', ['sipId' => $sid('alice'), 'group' => 'quota'], 1031, "removeFromGroup of a non-member: fault 1031");
must_fault($c, 'addToGroup', ['sipId' => $sid('nobody'), 'group' => 'quota'], 1010, "addToGroup on a missing account: fault 1010");

/* listings with filter, order, range and total */
foreach (['bob', 'carol', 'dave'] as $i => $u)
    must($c, 'addAccount', ['account' => ['id' => $sid($u), 'password' => "pw-$u", 'groups' => $i == 1 ? ['free-pstn'] : [],
                                          'prepaid' => $u === 'dave', 'quota' => 0]], "addAccount $u");
$q = ['filter' => ['domain' => $dom], 'orderBy' => ['attribute' => 'username', 'direction' => 'ASC'],
      'range' => ['start' => 1, 'count' => 2]];
$r = must($c, 'getAccounts', ['query' => $q], "getAccounts page 2 of the domain");
if (!is_fault($r)) {
    ok($r->total === 4, "total counts all 4 matches (int)", describe($r->total));
    ok(is_array($r->accounts) && count($r->accounts) === 2, "range.count 2 gives 2 accounts", describe($r->accounts));
    ok(isset($r->accounts[0]) && $r->accounts[0]->id->username === 'bob' && $r->accounts[1]->id->username === 'carol', "ordered by username from offset 1", describe(array_map(function ($x) { return $x->id->username; }, (array)$r->accounts)));
}
$r = must($c, 'getAccounts', ['query' => ['filter' => ['domain' => $dom, 'groups' => ['free-pstn']], 'range' => ['start' => 0, 'count' => 10]]], "getAccounts by group");
if (!is_fault($r)) ok($r->total === 2, "group filter: alice and carol", describe($r));
$r = must($c, 'getAccounts', ['query' => ['filter' => ['domain' => $dom, 'username' => 'c%'], 'range' => ['start' => 0, 'count' => 10]]], "getAccounts with a wildcard");
if (!is_fault($r)) ok($r->total === 1 && $r->accounts[0]->id->username === 'carol', "username c% matches carol", describe($r));
$r = must($c, 'getAccounts', ['query' => ['filter' => ['domain' => $dom, 'username' => 'zz%'], 'range' => ['start' => 0, 'count' => 10]]], "getAccounts without matches");
if (!is_fault($r)) ok($r->total === 0 && $r->accounts === [], "no matches: total 0, accounts []", describe($r));

/* aliases */
must($c, 'addAlias', ['alias' => ['id' => $sid('al'), 'target' => $sid('alice'), 'owner' => 0]]);
must_fault($c, 'addAlias', ['alias' => ['id' => $sid('al'), 'target' => $sid('alice'), 'owner' => 0]], 1021, "addAlias twice: fault 1021");
$aq = ['filter' => ['targetUsername' => 'alice', 'targetDomain' => $dom], 'range' => ['start' => 0, 'count' => 10]];
$r = must($c, 'getAliases', ['query' => $aq]);
if (!is_fault($r))
    ok($r->total === 1 && is_array($r->aliases) && $r->aliases[0]->id->username === 'al' && $r->aliases[0]->target->username === 'alice', "getAliases lists al -> alice", describe($r));
must($c, 'deleteAlias', ['id' => $sid('al')]);
$r = must($c, 'getAliases', ['query' => $aq], "getAliases after delete");
if (!is_fault($r)) ok($r->total === 0 && $r->aliases === [], "no aliases: total 0, aliases []", describe($r));
must_fault($c, 'deleteAlias', ['id' => $sid('al')], 1020, "deleteAlias of a missing alias: fault 1020");

/* prepaid */
$r = call($c, 'addBalance', ['sipId' => $sid('dave'), 'value' => 0.1, 'description' => 'first']);
{   /* prepaid is part of the server: a 9002 here is a failure, never a skip */
    ok(!is_fault($r), "addBalance 0.1", describe($r, $c));
    if (!is_fault($r)) {
        ok(dec_eq($r->old_balance, '0') && dec_eq($r->new_balance, '0.1'), "addBalance returns {old_balance 0, new_balance 0.1}", describe($r));
    }
    $r = must($c, 'addBalance', ['sipId' => $sid('dave'), 'value' => 0.2, 'description' => 'second'], "addBalance 0.2");
    if (!is_fault($r)) ok(dec_eq($r->new_balance, '0.3'), "0.1 + 0.2 is exactly 0.3", describe($r));
    $r = must($c, 'addBalance', ['sipId' => $sid('dave'), 'value' => 10.25, 'description' => 'top up'], "addBalance 10.25");
    $r = must($c, 'addBalance', ['sipId' => $sid('dave'), 'value' => -0.4, 'description' => 'debit'], "addBalance -0.4");
    if (!is_fault($r)) ok(dec_eq($r->old_balance, '10.55') && dec_eq($r->new_balance, '10.15'), "10.55 - 0.4 is exactly 10.15", describe($r));
    must_fault($c, 'addBalance', ['sipId' => $sid('nobody'), 'value' => 1, 'description' => 'x'], 1010, "addBalance on a missing account: fault 1010");
    $s = must($c, 'getPrepaidStatus', ['sipIds' => [$sid('dave'), $sid('bob')]]);
    if (!is_fault($s)) {
        ok(is_array($s) && count($s) === 2, "getPrepaidStatus returns a list of 2", describe($s));
        ok(isset($s[0]->balance) && dec_eq($s[0]->balance, '10.15'), "index 0 is dave with 10.15", describe($s[0] ?? null));
        ok(isset($s[1]) && (($s[1]->prepaid ?? null) === false || ((int)($s[1]->errorcode ?? 0)) !== 0), "index 1 (bob, postpaid) says not prepaid", describe($s[1] ?? null));
    }
    $h = must($c, 'getCreditHistory', ['sipId' => $sid('dave'), 'count' => 10]);
    if (!is_fault($h)) {
        ok(is_array($h->entries) && count($h->entries) === 4, "4 history entries", describe($h));
        $e = $h->entries[0] ?? null;
        ok($e && $e->description === 'debit' && dec_eq($e->value, '-0.4') && dec_eq($e->balance, '10.15'), "newest first: the debit, balance after it", describe($e));
        ok($e && preg_match('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/', $e->date) === 1, "date as YYYY-MM-DD hh:mm:ss", describe($e->date ?? null));
    }
    $h = must($c, 'getCreditHistory', ['sipId' => $sid('dave'), 'count' => 2], "getCreditHistory count 2");
    if (!is_fault($h)) ok(is_array($h->entries) && count($h->entries) === 2, "count limits the entries", describe($h));
}

/* a wrong login */
$bad = make_client($login, 'not-the-password');
must_fault($bad, 'getAccount', ['sipId' => $sid('alice')], 3001, "wrong password: fault 3001");
ok(strpos((string)$bad->__getLastResponse(), 'not-the-password') === false, "the password is not echoed");

/* deletes */
must_fault($c, 'deleteDomain', ['domain' => $dom], 1002, "deleteDomain of a domain with accounts: fault 1002");
foreach (['alice', 'bob', 'carol', 'dave'] as $u) must($c, 'deleteAccount', ['sipId' => $sid($u)], "deleteAccount $u");
must_fault($c, 'getAccount', ['sipId' => $sid('alice')], 1010, "deleted account: fault 1010");
must_fault($c, 'deleteAccount', ['sipId' => $sid('alice')], 1010, "deleteAccount twice: fault 1010");
must($c, 'deleteDomain', ['domain' => $dom]);
$r = must($c, 'getDomains', ['query' => ['filter' => ['domain' => $dom], 'range' => ['start' => 0, 'count' => 10]]], "getDomains after delete");
if (!is_fault($r)) ok($r->total === 0 && $r->domains === [], "domain gone: total 0, domains []", describe($r));

finish();
