#!/bin/sh
#
# Installed by the test host's postgresqlNN-server package; after the port's
# databases/postgresql*-server/files/502.pgsql.in: nightly vacuum and dumps.
#
# daily_pgsql_backup_enable="YES" # do backup of all databases
# daily_pgsql_backup_enable="foo bar db1 db2" # only do backup of a limited selection
# daily_pgsql_vacuum_enable="YES" # do vacuum

if [ -r /etc/defaults/periodic.conf ]; then
	. /etc/defaults/periodic.conf
	source_periodic_confs
fi

: ${daily_pgsql_user:="postgres"}
: ${daily_pgsql_port:=5432}
: ${daily_pgsql_vacuum_args:="-U ${daily_pgsql_user} -p ${daily_pgsql_port} -qaz"}
: ${daily_pgsql_pgdump_args:="-U ${daily_pgsql_user} -p ${daily_pgsql_port} -bF c"}
: ${daily_pgsql_pgdumpall_globals_args:="-U ${daily_pgsql_user} -p ${daily_pgsql_port}"}
: ${daily_pgsql_backupdir:="~${daily_pgsql_user}/backups"}
: ${daily_pgsql_savedays:="7"}

eval backupdir=${daily_pgsql_backupdir}
rc=0

case "$daily_pgsql_backup_enable" in
[Yy][Ee][Ss]|*[a-z]*)
	case "$daily_pgsql_backup_enable" in [Yy][Ee][Ss]) dbnames= ;; *) dbnames="$daily_pgsql_backup_enable" ;; esac
	echo
	echo "PostgreSQL backups"
	install -d -o ${daily_pgsql_user} -m 700 ${backupdir}
	find ${backupdir} \( -name 'pgglobals_*' -o -name 'pgdump_*' \) -a -mtime +${daily_pgsql_savedays} -delete
	file=${backupdir}/pgglobals_$(date "+%Y-%m-%d_%H-%M")
	su -l ${daily_pgsql_user} -c "umask 077; pg_dumpall -g ${daily_pgsql_pgdumpall_globals_args} | gzip -9 > ${file}.gz" || rc=3
	if [ -z "$dbnames" ]; then
		dbnames=$(su -l ${daily_pgsql_user} -c "umask 077; psql -U ${daily_pgsql_user} -p ${daily_pgsql_port} -q -t -A -d template1 -c SELECT\ datname\ FROM\ pg_database\ WHERE\ datname!=\'template0\'")
	fi
	for db in ${dbnames}; do
		echo -n " $db"
		file=${backupdir}/pgdump_${db}_$(date "+%Y-%m-%d_%H-%M")
		su -l ${daily_pgsql_user} -c "umask 077; pg_dump ${daily_pgsql_pgdump_args} -f ${file} ${db}" || rc=3
	done
	echo
	;;
esac

case "$daily_pgsql_vacuum_enable" in
[Yy][Ee][Ss])
	echo
	echo "PostgreSQL vacuum"
	su -l ${daily_pgsql_user} -c "vacuumdb ${daily_pgsql_vacuum_args}" || rc=3
	;;
esac

exit $rc
