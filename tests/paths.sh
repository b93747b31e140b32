# Sourced by the cases that aim a tool's outputs at devices, FIFOs, links
# and standard output that cannot be written (tests/cases/*/output-paths,
# */stdout-errors). Everything they make stays in the case's scratch folder,
# $TMPDIR included; the one real device written is /dev/full, never with
# --overwrite, so that even a tool that wrongly replaced its target could
# not replace it.
mkdir -p tmp
export TMPDIR=$PWD/tmp

# What the first bytes of a file say it is.
magic() {
	local head
	head=$(head -c 16 "$1" | tr -c '[:print:]' '.')
	case $head in
	'SQLite format 3.') echo "a SQLite file" ;;
	.PNG*) echo "a PNG" ;;
	%PDF*) echo "a PDF" ;;
	'II*.'* | 'MM.*'*) echo "a TIFF" ;;
	fgb*) echo "a FlatGeobuf" ;;
	'') echo "nothing" ;;
	*) echo "text: $(head -1 "$1" | tr -d '\0' | cut -c1-24)" ;;
	esac
}

# The run's exit code and what standard output got, then its first error
# line (a link's target is named by its full path: shown relative to here).
run() {
	"$@" >out 2>err
	echo "exit $?, $(wc -c <out) bytes on standard output"
	grep -m1 ': error:' err | sed "s|$PWD/||g"
}

# full LABEL CMD...: CMD names /dev/full as an output.
full() {
	local label=$1
	shift
	echo "$label -> /dev/full: $(run "$@")"
	[ -c /dev/full ] || echo "/dev/full IS NO LONGER A DEVICE"
}

# full_link NAME: NAME, made here, links to /dev/full (for an output whose
# format follows its name).
full_link() {
	rm -f "$1"
	ln -s /dev/full "$1"
}

# fifo LABEL NAME CMD...: CMD writes NAME, a FIFO made here that cat reads.
fifo() {
	local label=$1 name=$2 reader
	shift 2
	rm -f "$name" "$name.got"
	mkfifo "$name"
	# Generous limits for a loaded machine; the writer has one too, since
	# opening a FIFO whose reader has gone blocks for ever.
	timeout 300 cat "$name" >"$name.got" &
	reader=$!
	echo "$label -> FIFO $name: $(run timeout 300 "$@")"
	wait $reader
	echo "  the reader got $(magic "$name.got"); $name is $([ -p "$name" ] && echo "still a FIFO" || echo "NO LONGER A FIFO")"
}

# link LABEL NAME TARGET CMD...: CMD writes NAME, a link made here to TARGET.
link() {
	local label=$1 name=$2 target=$3
	shift 3
	rm -f "$name"
	ln -s "$target" "$name"
	echo "$label -> link $name: $(run "$@")"
	echo "  $name is $([ -L "$name" ] && echo "still a link to $(readlink "$name")" || echo "NO LONGER A LINK");" \
		"$target is $([ -e "$target" ] && magic "$target" || echo missing)"
}

# pipe_link LABEL NAME CMD...: as /dev/stdout is: NAME links to a FIFO (NAME.pipe).
pipe_link() {
	local label=$1 name=$2
	shift 2
	rm -f "$name"
	ln -s "$name.pipe" "$name"
	fifo "$label (a link to a FIFO)" "$name.pipe" "$@"
	echo "  $name is $([ -L "$name" ] && echo "still a link to $(readlink "$name")" || echo "NO LONGER A LINK")"
}

# stdout_full LABEL CMD...: CMD's standard output is /dev/full.
stdout_full() {
	local label=$1
	shift
	"$@" >/dev/full 2>err
	echo "$label > /dev/full: exit $?"
	grep -m1 ': error:' err
}

# closed_pipe LABEL CMD...: CMD's standard output is a pipe whose reader has gone.
closed_pipe() {
	local label=$1
	shift
	{ sleep 0.5; "$@" 2>err; } | true
	echo "$label -> a closed pipe: exit ${PIPESTATUS[0]}, $(wc -c <err) bytes on standard error"
}

# Temporary folders left in the scratch folder or in $TMPDIR.
left() {
	echo "left: $(ls -A . tmp | grep -c wangge-tmp) temporary folders"
}
