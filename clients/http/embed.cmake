# SPDX-License-Identifier: MPL-2.0
# embed.cmake - turn a file into a C array, for sein-http's dashboard page
#
#   cmake -DINPUT=dashboard.html -DOUTPUT=dashboard.c -DNAME=sein_http_dashboard -P embed.cmake
#
# The page is served from the binary, so the gateway needs no file at run
# time and the page cannot drift from the gateway it was built with.
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" length)
math(EXPR size "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n"
       bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "/* Generated from ${INPUT} by embed.cmake: do not edit. */\n"
     "#include <stddef.h>\n"
     "const unsigned char ${NAME}[] = {\n${bytes}0x00};\n"
     "const size_t ${NAME}_size = ${size};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
