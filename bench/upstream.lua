-- wrk script for the fake Steam alone (GET of the URL on the command line), with the same load shape
-- and output as login.lua.
dofile("bench/common.lua")
