# bash completion for kubejit(1)
#
# Commands and store names (secrets, targets, lease ids) come from the binary
# itself (`kubejit __complete ...`, local store only, no network; request ids
# are this home's own requests); options
# from each command's --help, so the completion cannot drift from the code.

_kubejit_words() {
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY+=($(compgen -W "$(command "${_kubejit_bin:-kubejit}" "${_kubejit_home[@]}" "$@" 2>/dev/null)" -- "$cur"))
}

_kubejit() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local _kubejit_bin=${COMP_WORDS[0]}
	local -a _kubejit_home=() path=()
	local i w skip=0
	COMPREPLY=()

	# Global options and the command (and sub-command) typed so far.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((skip)); then
			skip=0
			continue
		fi
		case $w in
		--home)
			_kubejit_home=(--home "${COMP_WORDS[i + 1]}")
			[ ${#path[@]} -eq 0 ] && skip=1
			;;
		-*) ;;
		*)
			case ${#path[@]} in
			0) path=("$w") ;;
			1) case ${path[0]} in target | secret | rbac) path+=("$w") ;; esac ;;
			esac
			;;
		esac
		case $w in
		--namespace | -n | --ttl | -t | --out | --secret | --target | --state | --mode | -o | \
			--max-ttl | --audience | --description | --tag | --label | --annotation | --name-prefix | \
			--server | --ca-file | --tls-server-name | --token-file | --client-cert | --client-key | \
			--cn | --org | --kubeconfig | --context | --listen | --seed | \
			--max-token-expiration | --role | --cluster-role | --role-yaml | --allowed-namespaces | \
			--service-account | --name | --reason | -r | --expires-in | --wait-timeout | --collect | \
			--cancel | --group | --serviceaccount | --ready-timeout)
			[ ${#path[@]} -gt 0 ] && skip=1
			;;
		esac
	done

	# Values of options.
	case $prev in
	--home | --out | --ca-file | --token-file | --client-cert | --client-key | --kubeconfig | \
		--role-yaml | --seed)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return
		;;
	--secret)
		_kubejit_words __complete secrets
		return
		;;
	--target)
		_kubejit_words __complete targets
		return
		;;
	--state)
		if [ "${path[0]}" = demo-cluster ]; then
			COMPREPLY=($(compgen -d -- "$cur"))
		else
			COMPREPLY=($(compgen -W "creating active revoking revoked expired failed" -- "$cur"))
		fi
		return
		;;
	--mode)
		COMPREPLY=($(compgen -W "fixed dynamic" -- "$cur"))
		return
		;;
	--collect | --cancel)
		_kubejit_words __complete requests
		return
		;;
	-o | --output)
		[[ ${path[0]} == @(mint|request) ]] && COMPREPLY=($(compgen -W "token exec exec-v1beta1 kubeconfig json" -- "$cur"))
		return
		;;
	--namespace | -n | --ttl | -t | --max-ttl | --audience | --description | --tag | --label | \
		--annotation | --name-prefix | --server | --tls-server-name | --cn | --org | --context | \
		--listen | --max-token-expiration | --role | --cluster-role | --allowed-namespaces | \
		--service-account | --name | --reason | -r | --expires-in | --wait-timeout | --group | \
		--serviceaccount | --ready-timeout)
		return
		;;
	esac

	if [ ${#path[@]} -eq 0 ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --demo --quiet --help --version" -- "$cur"))
		else
			_kubejit_words __complete commands
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(command "$_kubejit_bin" "${path[@]}" --help 2>/dev/null |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
		return
	fi
	case ${path[0]} in
	target | secret | rbac)
		if [ ${#path[@]} -eq 1 ]; then
			_kubejit_words __complete subcommands "${path[0]}"
			return
		fi
		;;
	esac
	case "${path[*]}" in
	"secret show" | "secret edit" | "secret rm" | mint | get | kubeconfig | request)
		_kubejit_words __complete secrets
		;;
	"target show" | "target check" | "target rm")
		_kubejit_words __complete targets
		;;
	revoke)
		_kubejit_words __complete leases
		;;
	esac
}

complete -F _kubejit kubejit
