#!/bin/sh
# Kubeconfigs shaped like the ones EKS, GKE and AKS write, used by the real
# kubectl and by kubejit on the same files: exec credential plugins (test
# scripts standing in for aws, gke-gcloud-auth-plugin and kubelogin that
# answer for `kubejit demo-cluster` and record what they were given),
# relative paths, and proxies (a real tinyproxy, whose log shows the
# CONNECTs).  kubejit must give each plugin what kubectl gives it.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
KUBEJIT_BIN=$(cd "$(dirname "$KUBEJIT_BIN")" && pwd)/$(basename "$KUBEJIT_BIN")
TINYPROXY=$(command -v tinyproxy || echo /usr/bin/tinyproxy)
[ -x "$TINYPROXY" ] || tap_skip_all "tinyproxy is not installed (./bootstrap check installs it)"

tmp=$(mk_tmp)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	# start_proxy runs in a command substitution: its pids are kept in files
	for f in "$tmp"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	[ -n "${KJ_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$KUBEJIT_BIN" demo-cluster --state "$tmp/state" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! wait_for 20 grep -q '^admin kubeconfig:' "$tmp/out"; then
	cat "$tmp/err" >&2
	tap_plan 1
	check "demo cluster starts" false
	tap_done
fi
url=$(sed -n 's/^demo cluster listening on //p' "$tmp/out")
port=${url##*:}
token=$(cat "$tmp/state/tokens/admin.token")
ca64=$(base64 -w0 "$tmp/state/ca.crt")
unset KUBECONFIG HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy KUBERNETES_SERVICE_HOST
k() { "$KUBECTL" --cache-dir "$tmp/cache" "$@"; }
kj() { "$KUBEJIT_BIN" --home "$tmp/home" "$@"; }
has() { grep -q -- "$2" "$tmp/$1"; }
hasnt() { ! grep -q -- "$2" "$tmp/$1"; }
# last recorded run of a plugin
last() { tail -n 1 "$tmp/rec/$1.log"; }
runs() { [ -f "$tmp/rec/$1.log" ] && wc -l <"$tmp/rec/$1.log" || echo 0; }

# A plugin script: records its arguments, one setting from its environment
# and KUBERNETES_EXEC_INFO on one line, says something on stderr, then
# answers an ExecCredential of `api` carrying the demo cluster's admin token.
mkdir -p "$tmp/bin" "$tmp/rec"
plugin() { # plugin PATH NAME API ENVVAR
	cat >"$1" <<EOF
#!/bin/sh
printf 'args=%s env=%s info=%s\n' "\$*" "\${$4:-}" "\$(printf %s "\$KUBERNETES_EXEC_INFO" | base64 -w0)" \\
	>>"$tmp/rec/$2.log"
echo "$2: using cached login" >&2
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \\
	"$3" "$token" "\$(date -u -d '+15 min' +%Y-%m-%dT%H:%M:%SZ)"
EOF
	chmod 755 "$1"
}
v1beta1=client.authentication.k8s.io/v1beta1
plugin "$tmp/bin/aws" aws $v1beta1 AWS_PROFILE
plugin "$tmp/bin/gke-gcloud-auth-plugin" gke $v1beta1 CLOUDSDK_CORE_PROJECT
mkdir -p "$tmp/aks/plugins"
plugin "$tmp/aks/plugins/kubelogin" aks $v1beta1 AZURE_CONFIG_DIR
PATH="$tmp/bin:$PATH"
export PATH

# A tinyproxy on a free port: start_proxy NAME [extra config lines]
start_proxy() {
	name=$1
	shift
	for try in 1 2 3 4 5 6 7 8; do
		pp=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		{
			echo "Port $pp"
			echo "Listen 127.0.0.1"
			echo "Timeout 30"
			echo "LogFile \"$tmp/$name.log\""
			echo "LogLevel Info"
			echo "MaxClients 20"
			echo "Allow 127.0.0.1"
			for line in "$@"; do echo "$line"; done
		} >"$tmp/$name.conf"
		: >"$tmp/$name.log"
		"$TINYPROXY" -d -c "$tmp/$name.conf" >/dev/null 2>&1 &
		ppid=$!
		echo "$ppid" >"$tmp/$name.pid"
		if wait_for 5 grep -q 'Accepting connections' "$tmp/$name.log"; then
			echo "$pp"
			return 0
		fi
		kill "$ppid" 2>/dev/null
	done
	return 1
}
proxy_port=$(start_proxy proxy) || proxy_port=""
deny_port=$(start_proxy deny "ConnectPort 443") || deny_port=""
# tinyproxy is installed (or the script skipped): one that does not start
# fails the checks that need it, never skips them
proxy_down() { # proxy_down N NAME: N failed checks, with the proxy's log
	for i in $(seq "$1"); do check "tinyproxy ($2) started, for the proxy checks" false; done
	sed 's/^/#   /' "$tmp/$2.log" | tail -n 5
}

tap_plan 32

# ---- EKS: aws eks get-token, v1beta1, env, PATH lookup ---------------------
mkdir -p "$tmp/eks"
arn=arn:aws:eks:eu-west-1:123456789012:cluster/demo
cat >"$tmp/eks/config" <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $ca64
    server: $url
  name: $arn
contexts:
- context:
    cluster: $arn
    user: $arn
  name: $arn
current-context: $arn
kind: Config
preferences: {}
users:
- name: $arn
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - eu-west-1
      - eks
      - get-token
      - --cluster-name
      - demo
      - --output
      - json
      command: aws
      env:
      - name: AWS_PROFILE
        value: prod-admin
EOF
k --kubeconfig "$tmp/eks/config" auth whoami >"$tmp/eks.k" 2>&1
check "EKS: kubectl authenticates through the aws plugin" has eks.k kubernetes-admin
kline=$(last aws)
kj target add eks --from-kubeconfig --kubeconfig "$tmp/eks/config" >"$tmp/eks.add" 2>"$tmp/eks.err"
check "EKS: target add --from-kubeconfig saves an exec target" has eks.add 'saved: .*, exec$'
check "EKS: preflight says which identity the plugin gave" \
	has eks.add 'exec plugin "aws --region eu-west-1 eks get-token.*cluster saw them as kubernetes-admin'
check "EKS: kubejit ran aws with what kubectl gave it (args, env, KUBERNETES_EXEC_INFO)" \
	test "$(last aws)" = "$kline"
check "EKS: the plugin's stderr is shown" has eks.err 'aws: using cached login'
check "EKS: its stdout (the token) is never shown" hasnt eks.add "$token"
kj target bootstrap eks-boot --mode fixed --kubeconfig "$tmp/eks/config" >"$tmp/eks.boot" 2>&1
check "EKS: target bootstrap from the exec admin context" has eks.boot 'eks-boot'
kj target show eks >"$tmp/eks.show" 2>&1
check "EKS: the target keeps the command, not a token" has eks.show '^Exec plugin: aws --region eu-west-1'
kj target check eks >"$tmp/eks.check" 2>&1
check "EKS: target check runs the plugin again" test "$(runs aws)" -ge 4

# ---- GKE: gke-gcloud-auth-plugin, provideClusterInfo, relative CA path ------
mkdir -p "$tmp/gke"
cp "$tmp/state/ca.crt" "$tmp/gke/cluster-ca.crt"
gke=gke_demo-project_europe-west1_demo
cat >"$tmp/gke/config" <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority: cluster-ca.crt
    server: $url
  name: $gke
contexts:
- context:
    cluster: $gke
    namespace: team-a
    user: $gke
  name: $gke
current-context: $gke
kind: Config
preferences: {}
users:
- name: $gke
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following
        https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
      provideClusterInfo: true
EOF
(cd / && k --kubeconfig "$tmp/gke/config" auth whoami) >"$tmp/gke.k" 2>&1
check "GKE: kubectl authenticates (CA path relative to the kubeconfig)" has gke.k kubernetes-admin
kline=$(last gke)
(cd / && kj target add gke --from-kubeconfig --kubeconfig "$tmp/gke/config") >"$tmp/gke.add" 2>&1
check "GKE: kubejit reads the relative CA path and saves the target" has gke.add 'saved: .*, exec$'
check "GKE: KUBERNETES_EXEC_INFO carries the cluster (provideClusterInfo)" \
	sh -c "tail -n 1 '$tmp/rec/gke.log' | sed 's/.*info=//' | base64 -d | grep -q '\"cluster\":{\"server\":\"$url\"'"
check "GKE: kubejit gave the plugin exactly what kubectl gave it" test "$(last gke)" = "$kline"
kj target bootstrap gke-boot --mode dynamic --kubeconfig "$tmp/gke/config" >"$tmp/gke.boot" 2>&1
check "GKE: target bootstrap (dynamic) from the exec admin context" has gke.boot 'gke-boot'
# the plugin missing: kubectl and kubejit both show the install hint
cp "$tmp/gke/config" "$tmp/gke/missing"
sed -i 's/command: gke-gcloud-auth-plugin/command: gke-gcloud-auth-plugin-missing/' "$tmp/gke/missing"
k --kubeconfig "$tmp/gke/missing" auth whoami >"$tmp/gke.km" 2>&1
kj target add gke-missing --from-kubeconfig --kubeconfig "$tmp/gke/missing" >"$tmp/gke.miss" 2>&1
check "GKE: a missing plugin is named, with its install hint (as kubectl)" \
	sh -c "grep -q 'executable gke-gcloud-auth-plugin-missing not found' '$tmp/gke.miss' &&
		grep -q 'Install gke-gcloud-auth-plugin' '$tmp/gke.miss' && grep -q 'Install gke-gcloud-auth-plugin' '$tmp/gke.km'"

# ---- AKS: kubelogin relative to the kubeconfig, through proxy-url -----------
cat >"$tmp/aks/config" <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $ca64
    server: $url
    proxy-url: http://127.0.0.1:${proxy_port:-9}
  name: aks-demo
contexts:
- context:
    cluster: aks-demo
    user: clusterUser_demo-rg_aks-demo
  name: aks-demo
current-context: aks-demo
kind: Config
preferences: {}
users:
- name: clusterUser_demo-rg_aks-demo
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --login
      - azurecli
      command: ./plugins/kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://aka.ms/aks/kubelogin
      provideClusterInfo: false
EOF
connects() { grep -c "CONNECT 127.0.0.1:$port " "$tmp/proxy.log" 2>/dev/null || true; }
if [ -n "$proxy_port" ]; then
	(cd / && k --kubeconfig "$tmp/aks/config" auth whoami) >"$tmp/aks.k" 2>&1
	check "AKS: kubectl authenticates through kubelogin (relative command) and the proxy" has aks.k kubernetes-admin
	before=$(connects)
	kline=$(last aks)
	(cd / && kj target add aks --from-kubeconfig --kubeconfig "$tmp/aks/config") >"$tmp/aks.add" 2>&1
	check "AKS: kubejit runs the relative kubelogin and saves the target" has aks.add 'saved: .*, exec$'
	check "AKS: kubejit gave kubelogin exactly what kubectl gave it" test "$(last aks)" = "$kline"
	check "AKS: tinyproxy's log shows kubejit's CONNECT to the cluster (proxy-url)" test "$(connects)" -gt "$before"
	kj target show aks >"$tmp/aks.show" 2>&1
	check "AKS: the target keeps its proxy-url" has aks.show "^Proxy: *http://127.0.0.1:$proxy_port"
	before=$(connects)
	kj target check aks >"$tmp/aks.check" 2>&1
	check "AKS: target check goes through the proxy again" test "$(connects)" -gt "$before"
	kj target bootstrap aks-boot --mode fixed --kubeconfig "$tmp/aks/config" >"$tmp/aks.boot" 2>&1
	check "AKS: target bootstrap through the proxy" has aks.boot 'aks-boot'
else
	proxy_down 7 proxy
fi

# ---- HTTPS_PROXY / NO_PROXY as client-go ----------------------------------
# Go never sends loopback addresses or "localhost" through an environment
# proxy; a name that resolves to this machine (its host name) does go.
name=$(hostname)
if [ -z "$proxy_port" ]; then
	proxy_down 4 proxy
elif getent hosts "$name" | grep -q '^127\.'; then
	sed -e "s#server: $url#server: https://$name:$port\n    tls-server-name: localhost#" \
		"$tmp/eks/config" >"$tmp/eks/byname"
	before=$(connects)
	HTTPS_PROXY=http://127.0.0.1:$proxy_port k --kubeconfig "$tmp/eks/config" auth whoami >/dev/null 2>&1
	HTTPS_PROXY=http://127.0.0.1:$proxy_port kj target add eks-env --from-kubeconfig \
		--kubeconfig "$tmp/eks/config" >"$tmp/env.add" 2>&1
	check "HTTPS_PROXY: loopback servers bypass it (kubectl and kubejit)" test "$(connects)" -eq "$before"
	name_connects() { grep -c "CONNECT $name:$port " "$tmp/proxy.log" 2>/dev/null || true; }
	b0=$(name_connects)
	HTTPS_PROXY=http://127.0.0.1:$proxy_port k --kubeconfig "$tmp/eks/byname" auth whoami >"$tmp/env.k" 2>&1
	b1=$(name_connects)
	HTTPS_PROXY=http://127.0.0.1:$proxy_port kj target add eks-byname --from-kubeconfig \
		--kubeconfig "$tmp/eks/byname" >"$tmp/env.add2" 2>&1
	b2=$(name_connects)
	check "HTTPS_PROXY: kubectl goes through it for $name" test "$b1" -gt "$b0"
	check "HTTPS_PROXY: so does kubejit (target saved, CONNECT $name:$port logged)" \
		sh -c "[ $b2 -gt $b1 ] && grep -q 'saved: .*, exec$' '$tmp/env.add2'"
	HTTPS_PROXY=http://127.0.0.1:$proxy_port NO_PROXY=$name kj target check eks-byname >"$tmp/env.np" 2>&1
	check "NO_PROXY: the listed host goes direct" sh -c "[ \$(grep -c 'CONNECT $name:$port ' '$tmp/proxy.log') -eq $b2 ] && grep -q ready '$tmp/env.np'"
else
	for i in 1 2 3 4; do check "# SKIP the host name $name does not resolve to a loopback address" true; done
fi

# ---- a proxy that refuses --------------------------------------------------
if [ -n "$deny_port" ]; then
	sed -e "s#proxy-url: http://127.0.0.1:${proxy_port:-9}#proxy-url: http://127.0.0.1:$deny_port#" \
		"$tmp/aks/config" >"$tmp/aks/denied"
	(cd / && kj target add aks-denied --from-kubeconfig --kubeconfig "$tmp/aks/denied") >"$tmp/deny.add" 2>&1
	check "a refusing proxy: the error names it and its answer" \
		has deny.add "the proxy http://127.0.0.1:$deny_port refused to connect to $url (it answered the CONNECT with HTTP 403)"
	check "tinyproxy's log shows the refused CONNECT" grep -q "CONNECT 127.0.0.1:$port " "$tmp/deny.log"
else
	proxy_down 2 deny
fi
# a proxy that is down
sed -e "s#proxy-url: http://127.0.0.1:${proxy_port:-9}#proxy-url: http://127.0.0.1:9#" \
	"$tmp/aks/config" >"$tmp/aks/down"
(cd / && kj target add aks-down --from-kubeconfig --kubeconfig "$tmp/aks/down") >"$tmp/down.add" 2>&1
check "a proxy that is down is named" has down.add "cannot connect to the proxy http://127.0.0.1:9"

# ---- auth-provider users -----------------------------------------------------
cat >"$tmp/legacy" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: $url, certificate-authority-data: $ca64}}]
users: [{name: gcp-user, user: {auth-provider: {name: gcp}}}]
contexts: [{name: old-gke, context: {cluster: c, user: gcp-user}}]
current-context: old-gke
EOF
kj target add legacy --from-kubeconfig --kubeconfig "$tmp/legacy" >"$tmp/legacy.add" 2>&1
check "auth-provider gcp: the error names gke-gcloud-auth-plugin" has legacy.add 'gke-gcloud-auth-plugin'

kj target list >"$tmp/list" 2>&1
check "target list shows the exec targets" sh -c "grep -q '^eks  *exec' '$tmp/list' && grep -q '^gke  *exec' '$tmp/list'"
check "no kubejit output held the token" sh -c "! grep -rqF -- '$token' '$tmp'/*.add '$tmp'/*.boot '$tmp'/*.show '$tmp'/*.check '$tmp'/list '$tmp'/eks.err"

tap_done
