"""Assessment: classification, identification, airspace violations and threat ranking.

Modules: :mod:`.assessment` (the output contract), :mod:`.assessor` (the stage,
composed of the parts in :mod:`.base`), :mod:`.classify`, :mod:`.identity`,
:mod:`.violation`, :mod:`.threat`; helpers :mod:`.kinematics`, :mod:`.area`,
:mod:`.memory` and :mod:`.rulefile`. Rule files (data) are in ``rules/``.
"""
