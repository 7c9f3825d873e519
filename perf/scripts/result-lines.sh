# Helpers the figure scripts share for the load generator's RESULT lines; sourced, not run.
# field LINE KEY: the value of KEY=... in LINE
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
# median: of the numbers on stdin (spaces or newlines), n/a and blanks left out; n/a if none
median() { tr ' ' '\n' | { grep -vE '^$|^n/a$' || true; } | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# ratio A B: A/B to 3 decimals, n/a if either is
ratio() { if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; else awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; fi; }
