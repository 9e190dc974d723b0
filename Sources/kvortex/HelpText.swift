/// The `--help` texts. Kept beside each other so the flags read the same everywhere.
enum HelpText {
    static let overview = """
        kvortex — a Dynamo-style distributed key-value store

        Usage:
          kvortex serve [options]              run a node (see: kvortex serve --help)
          kvortex get KEY [options]            read a key
          kvortex set KEY VALUE|- [options]    write a key (- reads the value from standard input)
          kvortex delete KEY [options]         delete a key
          kvortex cluster status|ring|join SEED|leave [--node HOST:PORT] [--token-file F]
                                               a node's view of the cluster, membership changes
                                               (see: kvortex cluster --help)
          kvortex bench [options]              load a running node (see: kvortex bench --help)
          kvortex simulate [SCENARIO.json ...] run cluster simulations (see: kvortex simulate --help)
          kvortex help                         this text

        Key commands (get, set, delete) talk HTTP to a running node; a KEY that starts with - goes after
        --, the end of options (kvortex get -- --draft); see `kvortex get --help`.

        A node started with --auth-token-file needs a token from every client command (get, set, delete,
        cluster, bench): --token-file F, a file holding the token alone, or the environment variable
        KVORTEX_TOKEN; the flag wins. cluster join and leave need the admin token.
        """

    static let serve = """
        Usage: kvortex serve [options]

        Runs one node. With no options: in memory, on 127.0.0.1:8080, a cluster of one (N=R=W=1).
        When serving it prints one line: kvortex ready http=HOST:PORT peer=HOST:PORT id=ID
        SIGTERM or SIGINT stops it gracefully (in-flight requests finish, bounded by --shutdown-grace-ms).
        SIGHUP reads --auth-token-file again (below) and never stops it.

        Addresses and identity:
          --http HOST:PORT           HTTP listen address (default 127.0.0.1:8080; port 0 picks a free one)
          --peer HOST:PORT           peer-to-peer address (default: HTTP host, HTTP port + 1000; port 0
                                     picks a free one)
          --node-id ID               this node's name in the cluster (default: the peer address)
          --seeds HOST:PORT,...      peer addresses (the --peer of other nodes) to join the cluster through;
                                     the others are found by gossip. None: a cluster of one, which others
                                     can join by naming this node's peer address in their --seeds

        Replication (capped at the cluster size; per request see X-Consistency and friends in API.md):
          --replicas N               copies of each key (default 3)
          --read-quorum R            replies a read waits for (default 2)
          --write-quorum W           acknowledgements a write waits for (default 2)
          --conflicts siblings|lww   keep concurrent writes as siblings (default), or keep only the
                                     last write by timestamp (lww: loses concurrent writes; for caches)
          --siblings-max K           siblings kept per key; past it the oldest are dropped (default 16)
          --timeout-ms MS            default deadline of a request (default 5000)

        Storage:
          --storage memory|log|sqlite  engine (default memory). log: append-only segments in --data-dir,
                                     compacted in the background; sqlite: DIR/kvortex.sqlite (WAL)
          --data-dir DIR             where a durable engine keeps its files and the node's identity
                                     (refused with --storage memory, which writes no files)
          --fsync always|batch|none  when a durable write is acknowledged: after its own fsync (always),
                                     after a shared fsync with concurrent writes (batch, default), or
                                     at once (none: a machine crash may lose recent writes; caches only).
                                     Refused with --storage memory, which has no fsync
          --max-memory B             bound on stored bytes of --storage memory; past it least recently used
                                     keys are evicted (the cache tier). Accepts K, M, G suffixes. Default:
                                     unbounded. Refused with --storage log or sqlite (see --cache-bytes)
          --cache-bytes B            LRU read cache of B bytes in front of --storage log or sqlite (K, M, G)
          --value-bytes-max B        largest value accepted, up to 16M (default 1M); larger is 413
          --tombstone-grace-ms MS    how long a deleted or expired key's tombstone is kept before it may be
                                     reaped (default 60000); with --replicas > 1 only once every other
                                     primary confirms it holds the tombstone. Longer: more disk and memory,
                                     fewer refused reaps after long outages
          --tombstone-backstop-ms MS after this long a tombstone is reaped even unconfirmed (default
                                     864000000, 10 days); a durable node down longer must start with an
                                     empty --data-dir (docs/operations.md "Tombstones and the backstop")

        Server:
          --loops N                  event loop threads, reading HTTP and peer connections (default 0: one
                                     per core)
          --connections-max N        open client connections (default 10000); past it: 503 and close
          --shutdown-grace-ms MS     how long a stop waits for in-flight requests (default 5000)

        Security:
          --cluster-secret-file F    a secret every node of the cluster shares: a peer must prove it in the
                                     handshake (it is never sent) or is refused. At least 16 bytes, trailing
                                     newlines and blanks ignored; make one with: openssl rand -hex 32 > F
                                     (and chmod 600 F). Default: none, any peer that connects is let in
          --auth-token-file F        client authentication: the key and /cluster endpoints need the header
                                     Authorization: Bearer TOKEN (401 without, 403 with a token not in F);
                                     /cluster/join, /cluster/leave and /admin/partition need an admin
                                     token. F holds the lines
                                       client TOKEN
                                       admin TOKEN
                                     or one bare TOKEN alone, which is then both; an admin token also
                                     opens every client endpoint. A role may have several lines, each
                                     token accepted (64 tokens at most): old and new side by side while
                                     rotating. Blank lines and lines starting with # are skipped. A token
                                     is at least 16 bytes of printable ASCII without spaces, each listed
                                     once (make one with: openssl rand -hex 32). A file that does not fit
                                     is refused at start; one readable by other users is used, with a
                                     warning (chmod 600 F). SIGHUP reads F again: its tokens replace those
                                     in use at once, or, if it does not fit, the tokens in use are kept;
                                     either is logged, never a token. Peers are not affected (see
                                     --cluster-secret-file). Default: none, every endpoint is open (a
                                     SIGHUP cannot turn tokens on)
          --protect-metrics          /health, /ready and /metrics need a token too (client or admin);
                                     without it they stay open (/dashboard, a page without data, stays
                                     open either way). Needs --auth-token-file

        Testing:
          --enable-fault-injection   turns on POST and DELETE /admin/partition, which make this node drop
                                     all peer traffic to and from the nodes named (API.md); without the
                                     flag they answer 403
        """

    static let keyCommands = """
        Usage:
          kvortex get KEY [--node HOST:PORT] [--consistency LEVEL] [--timeout-ms MS] [--json]
                          [--token-file F]
          kvortex set KEY VALUE|- [--node HOST:PORT] [--context TOKEN] [--ttl SECONDS]
                                  [--content-type TYPE] [--consistency LEVEL] [--timeout-ms MS]
                                  [--token-file F]
          kvortex delete KEY [--node HOST:PORT] [--context TOKEN] [--consistency LEVEL] [--timeout-ms MS]
                             [--token-file F]
          kvortex get [options] -- KEY
          kvortex set [options] -- KEY VALUE|-
          kvortex delete [options] -- KEY

        -- ends the options (POSIX): every word after it is KEY or VALUE, even one that starts with -, so a
        key such as --draft is given as `kvortex get -- --draft`. Options go before it. A VALUE of -
        still reads standard input, after -- too.

        Options (the request header of API.md each sets is named in parentheses):
          --node HOST:PORT       the node to ask (default 127.0.0.1:8080); any node coordinates any key
          --consistency LEVEL    one, two, quorum or all: replies a read waits for, acknowledgements a
                                 write waits for (X-Consistency; default: the node's R and W)
          --timeout-ms MS        deadline of the whole operation, 1..600000 (X-Timeout-Ms)
          --context TOKEN        the context of an earlier read: the write or delete supersedes what that
                                 read saw (X-Context)
          --ttl SECONDS          the value expires after SECONDS, 1..315360000 (ten years) (X-TTL)
          --content-type TYPE    stored with the value and returned with it (Content-Type; default
                                 application/octet-stream)
          --json                 get: print the siblings envelope of API.md, even for one value
                                 (Accept: application/json)
          --token-file F         for a node started with --auth-token-file: F holds the token alone
                                 (its first line that is not blank or a # comment), sent as
                                 Authorization: Bearer TOKEN. Without it the token is taken from the
                                 environment variable KVORTEX_TOKEN, if set; the flag wins

        get prints the value on standard output and its context token on standard error. When the key
        has concurrent values (siblings) it prints each of them, the context, and the command that
        resolves them: `kvortex set KEY MERGED_VALUE --context TOKEN`, with the key and --node filled in.
        set and delete print the new context token on standard output.
        A node that refuses the token answers 401 (none sent: "this node needs a token: pass --token-file
        F or set KVORTEX_TOKEN") or 403 (a token it does not accept); the command says which and exits 1.
        Exit status: 0 success, 1 not found or refused by the node (a refused token too), 2 bad usage
        (an unreadable --token-file too) or node unreachable.
        """

    static let clusterUsage = """
        Usage:
          kvortex cluster status [--node HOST:PORT] [--token-file F]
          kvortex cluster ring [--all] [--node HOST:PORT] [--token-file F]
          kvortex cluster join SEED [--node HOST:PORT] [--token-file F]
          kvortex cluster leave [--node HOST:PORT] [--token-file F]
        """

    static let cluster = """
        \(clusterUsage)

        Asks one node (--node, default 127.0.0.1:8080) over HTTP how it sees the cluster, or asks it to
        join or leave. Every node answers for the whole cluster, but only as far as its gossip has got:
        ask two nodes to compare their views.

        Subcommands:
          status       the members (GET /cluster/members): ID, STATE (up, suspect, down, leaving), HTTP
                       and PEER addresses, and how many partitions each owns as PRIMARY (first in the
                       preference list) and as REPLICA (anywhere in it), from GET /cluster/ring; then
                       a count of members by state and whether the node is ready (GET /ready)
          ring         how many partitions each node holds (GET /cluster/ring): as PRIMARY (first in
                       the preference list), 2ND, 3RD ... (at that place in it) and as REPLICA
                       (anywhere in it); with --all, first the preference list of every partition,
                       one row each
          join SEED    asks the node to join the cluster that SEED belongs to; SEED is the peer
                       address (HOST:PORT, the --peer of serve) of a node already in it
                       (POST /cluster/join?seed=SEED, 202 when accepted; the join itself goes on in
                       the background: follow it with status)
          leave        asks the node to hand its partitions to the others and leave the cluster
                       (POST /cluster/leave, 202 when accepted)

        Options:
          --node HOST:PORT   the node's HTTP address (default 127.0.0.1:8080, where `make run` serves;
                             those of `make cluster` are 127.0.0.1:8001, 8002, ...)
          --all              ring: also the preference list of every partition
          --timeout-ms MS    how long to wait for the node (default 10000)
          --token-file F     for a node started with --auth-token-file: F holds the token alone, sent
                             as Authorization: Bearer TOKEN; without it the environment variable
                             KVORTEX_TOKEN is used, if set (the flag wins). status and ring take the
                             client or the admin token; join and leave need the admin token (403
                             with the client token)

        Exit status: 0 success; 1 the node refused (any answer other than 2xx: its status and message
        are printed; a refused token says how to give one), answered something unreadable, or could not
        be reached; 2 bad usage (an unreadable --token-file too).
        """
}
