from plenary_kit.service import main

from .bootstrap import SERVICE

main(SERVICE)
