#!/bin/sh
# Hostile input through the built binary: for every option and argument of
# every command, values such as "", "../x", a newline, a terminal escape
# sequence, 10 kB of text, bytes that are not UTF-8, a leading dash, TTLs
# like 99999999999d, -5m, 1e9s and 0, names that are not DNS labels, files
# that are empty, huge or missing, and role YAML with deep nesting and alias
# bombs.  Each row of the table below asserts: the documented exit code (no
# crash, no hang), an error that names the field (what), a hint or usage line
# (how to fix), no raw control character on the terminal, and a store
# unchanged (targets, secrets, leases).  After each command's rows the demo
# cluster holds no object kubejit made.  The interface's wizards get the
# same values in tests/ui/test_ui_wizards.c.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
chmod 700 "$tmp"
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

demo_start "$tmp" --token-cache-ttl 1s --rbac-delay 50ms --gc-delay 150ms
url=$demo_url
export KUBEJIT_HOME="$tmp/home"
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT
kj() { "$KUBEJIT_BIN" "$@"; }
k() { "$KUBECTL" --cache-dir "$tmp/cache" --kubeconfig "$demo_kubeconfig" --request-timeout 20s "$@"; }

# The hostile values.
NL=$(printf 'a\nb')
ESC=$(printf 'x\033[2J\033]0;owned\007y')
CTL=$(printf 'a\001b')
BIG=$(head -c 10240 /dev/zero | tr '\0' a)
NONUTF=$(printf 'a\377\376b')
UNI='dév'
printf 'not a certificate\n' >"$tmp/junk.pem"
: >"$tmp/empty"
mkdir "$tmp/dir"
# 10,000 levels of nesting, and an alias bomb ("billion laughs")
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "["; print "" }' >"$tmp/deep.yaml"
cat >"$tmp/bomb.yaml" <<'EOF'
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
rules: [*f]
EOF
# JSON and YAML injection through a name the manifest would carry
cat >"$tmp/inject.yaml" <<'EOF'
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: "x\", \"kind\": \"ClusterRole"}
rules:
- apiGroups: [""]
  resources: ["pods\"]}, {\"apiGroups\": [\"*\"], \"resources\": [\"*\"], \"verbs\": [\"*\"]"]
  verbs: ["get"]
EOF

# Setup: one target, a dynamic and a fixed secret.  A failure here fails the
# test.
setup_ok=1
kj target add demo --server "$url" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token" >"$tmp/setup" 2>&1 || setup_ok=0
kj secret add /dev/read-pods --target demo --mode dynamic --allowed-namespaces 'dev,team-*' \
	--role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m --max-ttl 1h >>"$tmp/setup" 2>&1 || setup_ok=0
kj secret add /dash/view --target demo --mode fixed --namespace kubernetes-dashboard \
	--service-account kubernetes-dashboard >>"$tmp/setup" 2>&1 || setup_ok=0
if [ $setup_ok = 0 ]; then
	sed 's/^/# /' "$tmp/setup"
	tap_plan 1
	check "setup: target and secrets added" false
	tap_done
fi

# What a failed command must leave as it was.
snapshot() {
	{
		kj target list --json | grep -E '"name"|"server"'
		kj secret list --json
		kj leases --all --json | grep -E '"id"|"state"'
	} 2>&1
}
objects() {
	k get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings -A \
		-l app.kubernetes.io/managed-by=kubejit -o name 2>&1
}
snapshot >"$tmp/before"
k get namespaces >/dev/null 2>&1 || { tap_plan 1; check "the admin reaches the demo cluster" false; tap_done; }
objects >"$tmp/objects-before"

rows=0
# row RC PATTERN CMD...: kubejit CMD exits RC, its error matches PATTERN
# (extended regex, naming the field), a hint or usage line follows, and no
# raw control character reaches the terminal.  The store is compared after
# each command's rows (unchanged()): three kubejit runs per row would double
# the time on a loaded machine.
row() {
	want=$1
	pat=$2
	shift 2
	rows=$((rows + 1))
	timeout 30 "$KUBEJIT_BIN" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	why=""
	if [ $got -ge 124 ]; then
		why="crashed or hung (exit $got)"
	elif [ "$got" != "$want" ]; then
		why="exit $got, wanted $want"
	elif ! grep -qE -- "$pat" "$tmp/err"; then
		why="the error does not match /$pat/"
	elif ! grep -qE "hint:|Try 'kubejit|^kubejit: .+; " "$tmp/err"; then
		why="no hint"
	elif LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/err" "$tmp/out"; then
		why="a raw control character was printed"
	fi
	desc="kubejit $(printf '%s ' "$@" | LC_ALL=C tr -c '[:print:]' '?' | cut -c1-90)"
	if [ -n "$why" ]; then
		check "$desc: $why" false
		sed 's/^/#   /' "$tmp/err" | LC_ALL=C tr -c '[:print:]\n' '?' | cut -c1-300 | head -n 6
	else
		check "$desc: exit $want, names the field" true
	fi
}
# nothing_in_cluster WHAT: after a command's rows, the store and the cluster
# hold what they held before them
nothing_in_cluster() {
	snapshot >"$tmp/after"
	check "$1: the store is unchanged (targets, secrets, leases)" cmp -s "$tmp/before" "$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" || diff "$tmp/before" "$tmp/after" | head -n 10 | sed 's/^/#   /'
	cp "$tmp/after" "$tmp/before"
	objects >"$tmp/objects-after"
	check "$1: no object left in the cluster" cmp -s "$tmp/objects-before" "$tmp/objects-after"
}

# names: every value that is not a DNS label
# bad_names RC PATTERN CMD-BEFORE... -- CMD-AFTER...: one row per value
bad_dns() {
	want=$1
	pat=$2
	opt=$3
	shift 3
	for v in "" "../x" "$NL" "$ESC" "$BIG" "$NONUTF" "$UNI" "-x" "UPPER" "a_b" "a.b/c"; do
		row "$want" "$pat" "$@" "$opt=$v"
	done
}
# bad_ttl OPTION PATTERN CMD...: the exit code for 99999999999d is 2 unless
# BIG_RC says otherwise (over a secret's maximum: 3, not allowed)
bad_ttl() {
	opt=$1
	pat=$2
	shift 2
	for v in "" "-5m" "1e9s" "0" "99999999999999999999s" "$NL" "15x" "1h-" " 5m"; do
		row 2 "$pat" "$@" "$opt=$v"
	done
	row "${BIG_RC:-2}" "$pat|over the maximum" "$@" "$opt=99999999999d"
}

## mint
bad_dns 2 'namespace' --namespace mint /dev/read-pods -o token
BIG_RC=3 bad_ttl --ttl '--ttl' mint /dev/read-pods -n dev -o token
bad_ttl --ready-timeout '--ready-timeout' mint /dev/read-pods -n dev -o token
for v in "" "../x" "$NL" "$ESC" "$BIG" "$NONUTF" "$UNI" "/dev/../x" "//" "/dev/read pods"; do
	row 2 'secret path' mint -n dev -o token -- "$v"
done
row 4 'secret /-x not found' mint -n dev -o token -- -x
row 3 'TTL 99999999999d is over the maximum' mint /dev/read-pods -n dev -t 99999999999d -o token
row 3 'namespace "kube-system" is not allowed' mint /dev/read-pods -n kube-system -o token
for v in "" "$NL" "$BIG" "yaml"; do
	row 2 'output format' mint /dev/read-pods -n dev -o "$v"
done
row 2 'audience may not be empty' mint /dev/read-pods -n dev --audience= -o token
for v in "$NL" "$ESC" "$CTL" "$NONUTF" "$BIG"; do
	row 2 'audience' mint /dev/read-pods -n dev --audience "$v" -o token
done
row 2 '--out is empty' mint /dev/read-pods -n dev --out=
row 1 '--out .*cannot write in the folder' mint /dev/read-pods -n dev --out "$tmp/missing/x"
row 1 "$tmp/empty already exists" mint /dev/read-pods -n dev --out "$tmp/empty"
row 2 'mint takes one SECRET path' mint /dev/read-pods /dash/view -o token
row 2 'say how to hand the credential over' mint /dev/read-pods -n dev
nothing_in_cluster mint

## get and kubeconfig (the exec plugin's own commands)
bad_dns 2 'namespace' --namespace get /dev/read-pods
BIG_RC=3 bad_ttl --ttl '--ttl' get /dev/read-pods -n dev
for v in "" "$NL" "$ESC" "$BIG" "/a/../b"; do
	row 2 'secret path' get -n dev -- "$v"
done
bad_dns 2 'namespace' --namespace kubeconfig /dev/read-pods --out "$tmp/k.yaml"
row 2 '--out is empty' kubeconfig /dev/read-pods -n dev --out=
row 1 "$tmp/empty already exists" kubeconfig /dev/read-pods -n dev --out "$tmp/empty"
row 2 'secret path' kubeconfig "$ESC"
nothing_in_cluster "get, kubeconfig"

## secret add and edit
dyn="--mode dynamic --allowed-namespaces dev"
for v in "" "../x" "$NL" "$ESC" "$BIG" "$NONUTF" "$UNI" "/a/./b" "//"; do
	row 2 'secret path' secret add "$v" --target demo --mode fixed --namespace dev --service-account x
done
row 2 'needs a PATH before its options' secret add --target demo --mode fixed /x/new
row 1 'a secret named /dash/view already exists' secret add /dash/view --target demo --mode fixed \
	--namespace dev --service-account x
for v in "" "../x" "$NL" "$ESC" "$BIG" "UPPER"; do
	row 2 'target' secret add /x/new --target "$v" --mode fixed --namespace dev --service-account x
done
row 4 'target "nope" not found' secret add /x/new --target nope --mode fixed --namespace dev --service-account x
for v in "" "$NL" "bogus"; do
	row 2 '--mode' secret add /x/new --target demo --mode "$v"
done
bad_dns 2 'namespace' --namespace secret add /x/new --target demo --mode fixed --service-account x
for v in "" "../x" "$NL" "$ESC" "$BIG" "UPPER" "a_b"; do
	row 2 'service account' secret add /x/new --target demo --mode fixed --namespace dev --service-account "$v"
done
for v in "" "," "dev,,x" "DEV" "../*" "$NL" "$BIG" "dev,$ESC"; do
	row 2 'allowed.namespace' secret add /x/new --target demo --mode dynamic --allowed-namespaces "$v" \
		--cluster-role view
done
for v in "" "../x" "a/b" "a%2f" "$NL" "$ESC" "$BIG" "$NONUTF"; do
	row 2 'role name' secret add /x/new --target demo $dyn --role "$v"
	row 2 'role name' secret add /x/new --target demo $dyn --cluster-role "$v"
done
row 2 'give only one' secret add /x/new --target demo $dyn --role r --cluster-role view
row 2 'give only one' secret add /x/new --target demo $dyn --cluster-role view --role-yaml "$DATA/templates/pods-read-only.yaml"
row 2 'cluster scope needs a ClusterRole' secret add /x/new --target demo $dyn --role r --cluster-scope
row 2 'role YAML:1:1' secret add /x/new --target demo $dyn --role-yaml "$tmp/junk.pem"
row 2 'role YAML' secret add /x/new --target demo $dyn --role-yaml "$tmp/empty"
row 2 'role YAML.*(deep|nest)' secret add /x/new --target demo $dyn --role-yaml "$tmp/deep.yaml"
row 2 'role YAML.*alias' secret add /x/new --target demo $dyn --role-yaml "$tmp/bomb.yaml"
row 2 'role YAML.*larger than' secret add /x/new --target demo $dyn --role-yaml /dev/zero
row 4 'role YAML: cannot read' secret add /x/new --target demo $dyn --role-yaml "$tmp/missing.yaml"
row 1 'role YAML' secret add /x/new --target demo $dyn --role-yaml "$tmp/dir"
bad_ttl --ttl '--ttl' secret add /x/new --target demo $dyn --cluster-role view
bad_ttl --max-ttl '--max-ttl' secret add /x/new --target demo $dyn --cluster-role view
row 2 'max TTL 99999d is too long' secret add /x/new --target demo $dyn --cluster-role view --max-ttl 99999d
row 2 'default TTL 2h is longer than the max TTL 1h' secret add /x/new --target demo $dyn --cluster-role view \
	--ttl 2h --max-ttl 1h
row 2 'audience may not be empty' secret add /x/new --target demo $dyn --cluster-role view --audience=
for v in "$NL" "$ESC" "$CTL" "$NONUTF" "$BIG"; do
	row 2 'audience' secret add /x/new --target demo $dyn --cluster-role view --audience "$v"
done
for v in "$NL" "$ESC" "$CTL" "$NONUTF"; do
	row 2 'description' secret add /x/new --target demo $dyn --cluster-role view --description "$v"
done
row 2 'description is 10240 bytes long' secret add /x/new --target demo $dyn --cluster-role view --description "$BIG"
for v in "" "a,b" "$NL" "$ESC" "$BIG" "$NONUTF"; do
	row 2 'tag' secret add /x/new --target demo $dyn --cluster-role view --tag "$v"
done
for v in "" "a" "=b" "a/b/c=d" "kubejit.io/lease=x" "a=$BIG" "a=$NL" "a=-x-" "$ESC=v" "a=$NONUTF"; do
	row 2 'label' secret add /x/new --target demo $dyn --cluster-role view --label "$v"
done
for v in "" "=x" "a b=c" "kubejit.io/x=y" "a=$NONUTF" "$BIG=v"; do
	row 2 'annotation' secret add /x/new --target demo $dyn --cluster-role view --annotation "$v"
done
for v in "BAD_" "$BIG" "-x" "$NL" "a.b"; do
	row 2 'name prefix' secret add /x/new --target demo $dyn --cluster-role view --name-prefix "$v"
done
row 2 '--rename works with .secret edit. only' secret add /x/new --target demo $dyn --cluster-role view --rename /y
row 4 'secret /nope not found' secret edit /nope --ttl 5m
for v in "" "../x" "$NL" "$ESC" "$BIG"; do
	row 2 'secret path' secret edit /dev/read-pods --rename "$v"
done
row 1 'a secret named /dash/view already exists' secret edit /dev/read-pods --rename /dash/view
row 2 'allowed.namespace' secret edit /dev/read-pods --allowed-namespaces "$NL"
bad_ttl --ttl '--ttl' secret edit /dev/read-pods
for v in "" "$NL" "$ESC" "$BIG" "/a/../b"; do
	row 2 'secret path' secret show "$v"
	row 2 'secret path' secret rm "$v"
done
for v in "$NL" "$ESC" "$BIG" "/a/../b"; do
	row 2 'secret path' secret list "$v"
done
row 2 'secret show takes one PATH' secret show /a /b
nothing_in_cluster "secret"

## leases, revoke, sweep, audit
for v in "" "$NL" "$ESC" "$BIG" "abc" "-"; do
	row 2 'lease id' leases -- "$v"
	row 2 'lease id' revoke -- "$v"
done
row 4 'lease .*not found|no lease' leases 00000000
bad_dns 2 'namespace' --namespace leases
bad_dns 2 'target' --target leases
bad_dns 2 'namespace' --namespace revoke --all
for v in "" "$NL" "bogus" "ACTIVE"; do
	row 2 '--state' leases --state "$v"
done
for v in "" "$NL" "$BIG" "/a/../b"; do
	row 2 'secret path' leases --secret "$v"
	row 2 'secret path' revoke --all --secret "$v"
done
for v in "" "-1" "0" "65" "99999999999999999999" "abc" "1e3"; do
	row 2 '--parallel' revoke --all --parallel "$v"
done
bad_ttl --wait-timeout '--wait-timeout' revoke --all --wait
row 2 'give lease IDs, or --all' revoke
row 2 'token-file' revoke --all --token-file "$tmp/empty"
bad_ttl --grace '--grace' sweep
for v in "" "../x" "$NL" "$ESC" "$BIG"; do
	row 4 'target .* not found' sweep --target "$v"
done
for v in "" "-1" "abc" "99999999999999999999" "$NL" "1e3"; do
	row 2 '--limit' audit --limit "$v"
done
for v in "" "bogus" "$NL" "$ESC" "$BIG"; do
	row 2 '--action' audit --action "$v"
done
nothing_in_cluster "leases, revoke, sweep, audit"

## target
T="--token-file $tmp/state/tokens/kubejit-jit.token"
for v in "" "../x" "$NL" "$ESC" "$BIG" "$NONUTF" "$UNI" "-x" "UPPER" "a_b" "a.b"; do
	row 2 'target name' target add --server "$url" --ca-file "$tmp/ca.crt" $T -- "$v"
done
row 1 'a target named "demo" already exists' target add demo --server "$url" --ca-file "$tmp/ca.crt" $T
for v in "" "http://127.0.0.1:1" "ftp://x" "https://" "https://u:p@h:1" "https://h:1/?a" "https://h:1/#f" \
	"$url/../x" "https://h 1" "https://$NL" "https://$ESC"; do
	row 2 'server|URL' target add t1 --server "$v" --ca-file "$tmp/ca.crt" $T
done
row 2 '--ca-file .* is empty' target add t1 --server "$url" --ca-file "$tmp/empty" $T
row 2 'CA' target add t1 --server "$url" --ca-file "$tmp/junk.pem" $T
row 2 'CA file.*larger than' target add t1 --server "$url" --ca-file /dev/zero $T
row 4 'CA file.*cannot read' target add t1 --server "$url" --ca-file "$tmp/missing" $T
row 2 'token is empty' target add t1 --server "$url" --ca-file "$tmp/ca.crt" --token-file "$tmp/empty"
row 2 'token file holds more than one word' target add t1 --server "$url" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/junk.pem"
for v in "" "$NL" "$ESC" "$BIG" "a b"; do
	row 2 '--tls-server-name' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T --tls-server-name "$v"
done
row 2 'client certificate' target add t1 --server "$url" --ca-file "$tmp/ca.crt" \
	--client-cert "$tmp/junk.pem" --client-key "$tmp/junk.pem"
row 2 '--client-cert and --client-key go together' target add t1 --server "$url" --client-cert "$tmp/ca.crt"
row 2 'choose only one way to authenticate' target add t1 --server "$url" $T --client-cert "$tmp/ca.crt" \
	--client-key "$tmp/ca.crt"
bad_ttl --cert-warn '--cert-warn' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T
bad_ttl --cert-ttl '--cert-ttl' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T --csr --cn x
bad_ttl --approve-timeout '--approve-timeout' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T --csr --cn x
for v in "" "$NL" "$ESC" "$BIG"; do
	row 2 'common name|--cn' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T --csr --cn "$v"
	row 2 'organi[sz]ation|--org' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T --csr --cn x --org "$v"
done
row 2 '--key-type' target add t1 --server "$url" --ca-file "$tmp/ca.crt" $T --csr --cn x --key-type dsa
row 4 'no kubeconfig found at' target add t1 --from-kubeconfig --kubeconfig "$tmp/missing"
row 2 'kubeconfig' target add t1 --from-kubeconfig --kubeconfig "$tmp/deep.yaml"
row 2 'kubeconfig.*alias' target add t1 --from-kubeconfig --kubeconfig "$tmp/bomb.yaml"
row 2 '--context is empty' target add t1 --from-kubeconfig --kubeconfig "$demo_kubeconfig" --context ""
row 2 '--context is empty' target bootstrap t1 --kubeconfig "$demo_kubeconfig" --mode dynamic --context ""
for v in "$NL" "$ESC" "$BIG"; do
	row 4 'context' target add t1 --from-kubeconfig --kubeconfig "$demo_kubeconfig" --context "$v"
	row 4 'context' target bootstrap t1 --kubeconfig "$demo_kubeconfig" --mode dynamic --context "$v"
done
bad_dns 2 'namespace' --namespace target bootstrap t1 --kubeconfig "$demo_kubeconfig" --mode dynamic
for v in "" "../x" "$NL" "$ESC" "$BIG" "UPPER"; do
	row 2 '--name' target bootstrap t1 --kubeconfig "$demo_kubeconfig" --mode dynamic --name "$v"
done
row 2 '--mode' target bootstrap t1 --kubeconfig "$demo_kubeconfig" --mode bogus
bad_ttl --token-ttl '--token-ttl' target bootstrap t1 --kubeconfig "$demo_kubeconfig" --mode dynamic
for v in "" "../x" "$NL" "$ESC" "$BIG"; do
	row 4 'target .* not found' target show "$v"
	row 4 'target .* not found' target check "$v"
	row 4 'target .* not found' target rm "$v"
	row 4 'target .* not found' target renew "$v"
done
nothing_in_cluster "target"

## rbac, seal, global options
bad_dns 2 'namespace' --namespace rbac dynamic
for v in "" "../x" "$NL" "$BIG" "UPPER"; do
	row 2 '--name' rbac fixed --name "$v"
done
for v in "" "$NL" "$ESC"; do
	row 2 '--user' rbac dynamic --user "$v"
done
row 2 'passphrase is empty' seal on --passphrase-file "$tmp/empty"
row 2 'say on, off or status' seal "$ESC"
row 2 'unknown command' "$ESC"
row 2 'unknown subcommand' secret "$NL"
row 2 'unknown global option' --bogus
nothing_in_cluster "rbac, seal"

## hostile values that are valid must come back exactly (no injection)
desc='x", "mode": "fixed" } # a: [b] {{ $(id) }} ünï ✓'
check "a description with quotes, braces and Unicode is accepted" \
	kj secret add /x/inject --target demo --mode dynamic --allowed-namespaces dev --cluster-role view \
	--description "$desc" --annotation "note=$NL"
check "... and shown back byte for byte, JSON intact" sh -c \
	"'$KUBEJIT_BIN' secret show /x/inject --json | python3 -c 'import json,sys; d=json.load(sys.stdin); \
s=d[\"items\"][0] if \"items\" in d else d; sys.exit(0 if s[\"description\"]==sys.argv[1] and s[\"mode\"]==\"dynamic\" and s[\"annotations\"][\"note\"]==\"a\\nb\" else 1)' \"\$1\"" \
	_ "$desc"
check "role YAML with JSON injection in names is stored as data" \
	kj secret add /x/inject2 --target demo --mode dynamic --allowed-namespaces dev --role-yaml "$tmp/inject.yaml"
check "... and a mint of it succeeds" sh -c "'$KUBEJIT_BIN' mint /x/inject2 -n dev -o token >'$tmp/inj.token' 2>'$tmp/inj.err'"
# the token holds one rule on a resource literally named by the string: no
# wildcard rule was injected
can() {
	"$KUBECTL" --server "$url" --certificate-authority "$tmp/ca.crt" --token "$(cat "$tmp/inj.token")" \
		--cache-dir "$tmp/cache" auth can-i "$@" -n dev 2>&1
}
check "... the token may not list secrets (kubectl says no)" test "$(can list secrets)" = no
check "... nor do everything (no injected wildcard rule)" test "$(can '*' '*')" = no
kj revoke --all >/dev/null 2>&1
kj sweep >/dev/null 2>&1

diag "hostile-input table: $rows rows"
tap_plan "$TAP_N"
tap_done
