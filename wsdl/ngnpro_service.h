/* soapcpp2 input for ngnprod.
 *
 * wsdl2h runs with -j, so the SOAP Header and Detail are declared here, in the
 * shape real NGNPro clients use:
 *  - the header carries the Login either qualified (<ngn2:auth>, as PHP
 *    SoapClient and SOAP::Lite send it) or unqualified (<auth>, as CDRTool's
 *    PEAR client and zeep send it); both bind to a Login;
 *  - a fault's detail is <exception> with {errorcode, errorstring}, which is
 *    what CDRTool reads as $fault->detail->exception->errorcode.
 */
#import "ngnpro.h"

struct SOAP_ENV__Header {
	struct ngn2__Login *ngn2__auth;
	struct ngn2__Login *auth;
};

struct SOAP_ENV__Detail {
	struct ngn2__Error *exception;
	int __type;
	void *fault;
	_XML __any;
};
