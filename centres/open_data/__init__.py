"""Open data: the public directory in Open Referral's HSDS 3.1, as a tabular package and a read-only API.

`hsds` maps our records to HSDS objects and is the only module that knows HSDS; `package` writes its tabular
package (CSV files and `datapackage.json`), `api` serves its objects, `schemas` reads the official schemas we ship
(centres/data/hsds-3.1/) for the OpenAPI document and the package description.
"""
