#!/bin/sh
#
# Managed by provision: dehydrated hook. On a new certificate, reload Apache and (with TURN)
# hand a copy to coturn (readable by root and the coturn group only) and make coturn use it.
# Replaces the guide's Run_Certs.sh.

set -eu

deploy_cert() {
	domain="$1" keyfile="$2" fullchainfile="$4"
	echo "deploying the new certificate for ${domain}"
{{#if turn.enabled}}
	dest="{{paths.coturnCertDir}}"
	# coturn started before the first certificate existed has no TLS listener yet: only a
	# restart opens it; later certificates are picked up by a reload (SIGUSR2).
	first=no
	[ -s "${dest}/fullchain.pem" ] || first=yes
	install -d -o root -g coturn -m 0750 "${dest}"
	# Write beside the target, then rename: coturn never reads a half-written key.
	install -o root -g coturn -m 0640 "${keyfile}" "${dest}/privkey.pem.new"
	install -o root -g coturn -m 0644 "${fullchainfile}" "${dest}/fullchain.pem.new"
	mv -f "${dest}/privkey.pem.new" "${dest}/privkey.pem"
	mv -f "${dest}/fullchain.pem.new" "${dest}/fullchain.pem"
{{/if}}
	# Apache reads the certificate from dehydrated's directory; a graceful reload picks it up.
	if service apache24 status >/dev/null 2>&1; then
		service apache24 graceful
	fi
{{#if turn.enabled}}
	if [ -s /var/run/turnserver.pid ] && kill -0 "$(cat /var/run/turnserver.pid)" 2>/dev/null; then
		if [ "${first}" = yes ]; then
			service turnserver restart
		else
			kill -USR2 "$(cat /var/run/turnserver.pid)"
		fi
	fi
{{/if}}
}

invalid_challenge() {
	echo "ACME challenge for $1 failed: $2" >&2
}

handler="${1:-}"
[ $# -gt 0 ] && shift
case "${handler}" in
	deploy_cert) deploy_cert "$@" ;;
	invalid_challenge) invalid_challenge "$@" ;;
	*) ;;
esac
