# fish completion for kubejit(1)
#
# Commands and store names (secrets, targets, lease ids) come from the binary
# itself (`kubejit __complete ...`, local store only, no network); options
# from each command's --help, so the completion cannot drift from the code.
# The same rules as doc/kubejit.bash and doc/_kubejit.

function __kubejit_list
    # argv: the binary, then --home DIR or nothing, then the word list to ask for
    command $argv 2>/dev/null
end

function __kubejit_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l bin $words[1]
    set -l home
    set -l path
    set -l skip 0
    set -l takes_value --namespace -n --ttl -t --out --secret --target --state --mode -o \
        --max-ttl --audience --description --tag --label --annotation --name-prefix --server \
        --ca-file --tls-server-name --token-file --client-cert --client-key --cn --org \
        --kubeconfig --context --listen --seed --max-token-expiration --role --cluster-role \
        --role-yaml --allowed-namespaces --service-account --name --reason -r --expires-in \
        --wait-timeout --collect --cancel --group --serviceaccount --ready-timeout

    # Global options and the command (and sub-command) typed so far.
    for i in (seq 2 (count $words))
        set -l w $words[$i]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case --home
                set home --home $words[(math $i + 1)]
                test (count $path) -eq 0; and set skip 1
            case '-*'
            case '*'
                if test (count $path) -eq 0
                    set path $w
                else if test (count $path) -eq 1; and contains -- $path[1] target secret rbac
                    set -a path $w
                end
        end
        if contains -- $w $takes_value; and test (count $path) -gt 0
            set skip 1
        end
    end

    # Values of options.
    set -l prev $words[-1]
    switch $prev
        case --home --out --ca-file --token-file --client-cert --client-key --kubeconfig \
            --role-yaml --seed
            __fish_complete_path $cur
            return
        case --secret
            __kubejit_list $bin $home __complete secrets
            return
        case --target
            __kubejit_list $bin $home __complete targets
            return
        case --state
            if test "$path[1]" = demo-cluster
                __fish_complete_directories $cur
            else
                printf '%s\n' creating active revoking revoked expired failed
            end
            return
        case --mode
            printf '%s\n' fixed dynamic
            return
        case --collect --cancel
            __kubejit_list $bin $home __complete requests
            return
        case -o --output
            contains -- "$path[1]" mint request; and printf '%s\n' token exec exec-v1beta1 kubeconfig json
            return
        case --namespace -n --ttl -t --max-ttl --audience --description --tag --label \
            --annotation --name-prefix --server --tls-server-name --cn --org --context --listen \
            --max-token-expiration --role --cluster-role --allowed-namespaces --service-account --name \
            --reason -r --expires-in --wait-timeout --group --serviceaccount --ready-timeout
            return
    end

    if test (count $path) -eq 0
        if string match -q -- '-*' $cur
            printf '%s\n' --home --demo --quiet --help --version
        else
            __kubejit_list $bin $home __complete commands
        end
        return
    end
    if string match -q -- '-*' $cur
        command $bin $path --help 2>/dev/null | string match -ar -- '--[a-z][a-z0-9-]*' | sort -u
        return
    end
    if contains -- $path[1] target secret rbac; and test (count $path) -eq 1
        __kubejit_list $bin $home __complete subcommands $path[1]
        return
    end
    switch "$path"
        case 'secret show' 'secret edit' 'secret rm' mint get kubeconfig request
            __kubejit_list $bin $home __complete secrets
        case 'target show' 'target check' 'target rm'
            __kubejit_list $bin $home __complete targets
        case revoke
            __kubejit_list $bin $home __complete leases
    end
end

# -f: no file names unless an option takes one (the function offers them then)
complete -c kubejit -f -a '(__kubejit_complete)'
