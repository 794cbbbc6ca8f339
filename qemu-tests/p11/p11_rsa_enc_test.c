// SPDX-License-Identifier: GPL-2.0
/*
 * CKM_RSA_PKCS encryption and decryption (RSAES-PKCS1-v1_5 with implicit
 * rejection) through khsm-pkcs11.so, cross-checked with OpenSSL 3.0:
 * OpenSSL encrypts with RSA_PKCS1_PADDING and the token decrypts, the
 * token encrypts and OpenSSL decrypts (every message length class, 0 to
 * k - 11 bytes, 2048 and 4096 bits); the test vectors of
 * draft-irtf-cfrg-rsa-guidance appendix B (2048 and 4096-bit keys: valid
 * paddings give their message, bad ones the listed synthetic message);
 * a bad padding never gives an error: the same ciphertext gives the same
 * message, another one a different message; the only errors are the
 * public ones (ciphertext length: CKR_ENCRYPTED_DATA_LEN_RANGE, C >= n:
 * CKR_ENCRYPTED_DATA_INVALID, message above k - 11 bytes:
 * CKR_DATA_LEN_RANGE); single-part only; the length protocol's bound of
 * k - 11 bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "kselftest_harness.h"
#include "p11_util.h"

/* draft-irtf-cfrg-rsa-guidance, appendix B.1 (2048) and B.4 (4096) */
static const char ir_k2048[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDIzIOXFAmNpWyq\n"
	"I2QPk9yJl8FjcpaPwbDG31ETwclOiyHkitIpfmVBkBG05tj15zsbeLJXQAMh0e9r\n"
	"YC1OyM6NFByUkF60rTBmOaSSBlNLbn8mB0I+l9/9EzyI1yE5ne+8fpbM3L1/Oq4f\n"
	"6JJxK/tJKYF9URZmRAofrLeiCPXqFlkQrdij8tSXICNgzLYyAk8NBxacGRjzFveU\n"
	"sUOu9U7IdSKkwCl4+WiZgL/79knDB+gYGb/4hAljjUi9lL4VK1n/ZJ+gvWKdD/oY\n"
	"E8Or9LVr08LqVGXf+hRYkpKp2KJK0mvn7gUQdBtjgtQ8g9W/pApGYT0GK+RFUX28\n"
	"rwy04adpAgMBAAECggEAFFUBDg8tWHZjpmam/xzNu/Dt2BAGRtAqAjkikImSxK05\n"
	"5VZZKXJu9lCMOnEVjvC2/3UdOdB1gLstLwYyEEQtBgP/UNu9ezX+LJuxmkehr4Wk\n"
	"wkkB4CyotYt5GbIO3zKqz79RrbS8S2G5t+loyqTVcPcO8Y2AYyKIk+R9Q578p5Ml\n"
	"m88s0Qij2GiM3weOeseZlp8jOdLB9SK5aWhGKakzuq7CaBYl6rhPTlb0RH6diPua\n"
	"GZz3ECPg4lexREGzPITTvGfKgDHSYSYYEDp6CkCEQmL3XYiQzWFuUfkDVIj9bgmd\n"
	"6P9tZaT/EYJUgHyfWNL7uouhUdyMaL40nJd6IE4EwQKBgQD49a1rqCiTG+pFm4o/\n"
	"bcBB0jSCQJwlcelj8x90hgKiVjcbOIPtRZ7PlwUmRZ7dFuBVIvWkXZR1Gy7C2vJy\n"
	"x/iBalLADRgIAXFjTaiZ15cyIvUbk3YwVIaWqffYwkpZSXwe/NRVz7l+6G0rbTSX\n"
	"KzMv2jA/BJmbTra1zAuzPndh3QKBgQDOei47SakLljMKEtxoK9+9+66N1twDthR6\n"
	"771XV0Pw9tpNhiNQYbca/ZytLTQCXlashrD3dD6zXhrLyiN4lUJEZbcG7SIXXlcY\n"
	"yMcLZwPqj2tRD5Rb5I5aNrs8PJFzK1id/AXXLYCQMZRFK9ohNIZH7HKUPxGoRuYv\n"
	"rr6OtTaw/QKBgHb+FfGK4jnN8d9rRFykvGu5aNeIwhkzpPXc0oADPWcSBizAim3y\n"
	"BMH70L5GMHRD5t1KZFY3VCnU4DjKJW+vHJvekcaxe3b4GZX5HEjLvrx78ONJTAg1\n"
	"nk6M1qWH17ltYiH9fg+1xVdfCC7ld2l5gHGyu7SjIjgVG0cxS7ZUeQMRAoGBAJmI\n"
	"SLBVSZoQCcvH0pSzax/98gIObnNkBT6U3hoADck0BYf34nJ29ozfYI11O2M3ewO2\n"
	"9AhNLAJ8SziWCmIzup7Zc4t28Q6nW+RWB4v3AfZ8xrPz/cGG5kM2x2s3LoCRDsgL\n"
	"CtzCPQL7muEEhqKCSAdbTqflbd/POILkUVYUcaKRAoGAZDv3RkKffYNmegZTAhNH\n"
	"77/AXmNR+CGp3rtg4OzN5QBa2ensMeVY9+ksKTKOdFadfO98dMq8KzVe1AGhoJFL\n"
	"Tjy7BkhOWBlgURae0UyqLvpuoETgVNJhRMwWKcVQEFWKBOEz9Et8JE2sJb+RPFe4\n"
	"kO5J9UglnNY0BP72hZ3Pl1o=\n"
	"-----END PRIVATE KEY-----\n";

static const char ir_k4096[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIJQQIBADANBgkqhkiG9w0BAQEFAASCCSswggknAgEAAoICAQCP3jlT5VxITxxC\n"
	"Sq7JA99vOdMNsWBSloAaGC0650aOGSezhv550foWGyiU+Gixo3XzGcMGs7vaX8tF\n"
	"oROlVw6yRzGAz+ERn6B8JeRojKJV4hWmrFa8EQfuJDPM6EXLb1X2u4wwDpwDs0IV\n"
	"c4jUD6ekXTsNEFW0mjw7CkRLcnGXFUFDXj/J8pVveF5cxtFZi5+JwcE79MX+8TEH\n"
	"8OAW9W11O9svcPFuzHUI0gv1BixcZIvVu0pzVcQpNeKv41ZZW20PNOpynI7JjOjC\n"
	"f4ebGZx03y4i7jA2LpLznbjcmiT1Ge1a/NHS6BriA//9gCjcAvgdO/Sws7rEJLEH\n"
	"JQ0gmMBuSt3yaQpOdrejmXNX2Cvz6ewQ16i4hiq8AramcyiRIVHjsfQJWMeirYX7\n"
	"ZCsrCVRt0WGE9PPUxo/mDIZ3CpQ0IRwNxCwuJO35AqLtTUaFXhRW5l/W/hbVbaTj\n"
	"yAmd2W57LCFjPh7S41zECRl6zuf7keGbad094Tkm8dr+/N47mAtP8C+Q2YBIEsxO\n"
	"qYobVlAP/Rznsq6ScUyKagMdKby38EewybvOcN/g4fDbBs7a+Jdp1Y4cFT7ugTet\n"
	"ig+yHJlJgjbQQYA8sjwAPeZRArmnMsOBvEG+F8tLIRmT9iIG7AV8cVdQ1c0xq2e+\n"
	"bIZV6kq1pstAEcKJs2wS3hr3oI7dDQIDAQABAoICABUFM5wZ9XdNM8RN1CbjrXg7\n"
	"WyZzha7bdYEaijVCiHEHpODatwDGmMM1GaNWfjmCOCAaYf/vL+HSwEj+pXexdiC/\n"
	"PTDkbq6cA59QDATok2l3/JDbOlsFJAL8ACOOxm/YZxeDRJLa95mkzeGDfXj6hpSB\n"
	"2LhqbBNUu7smn17krEsWXHBC65AOpR3h2Ou2Uu1B9L/0cs7XTzyWMgNGgv9nwaPw\n"
	"6HAQkP4O2oS85+lXixC+0h2a3WBnph8dU+8+CKZKsO8ZXK39SPGS6IlOh9o2DkGX\n"
	"QE7zPVEVUfxNTa7RyNeU/7SdHu0xY4glbHg2CwJGXskqsvBEemPhNopkM/xQxUDA\n"
	"AoJ3HsNbpXsp+V4HjijdV47ncQBPr2O3Ln/V3nVqgJJ88MWqC3kfDMwtE+b8yLE3\n"
	"RJ8Tqb+Rih0Zr/4AfRNlSZzzmUKbN39f9swLzv5BJMuBhbq2W/019xb+b+Jq/o5p\n"
	"NgUKVImnvJ+Pm0tFaMHWKE3LHOib3o4D19bVHfkEXXeFwy2Dul/imDwOQqEu4Gei\n"
	"3mkzIEEA2f4Tl17ta62kdNn73lgpdtEqE0DNq9yQpK7itxRjTlwGQShLzYJaD9bz\n"
	"TIgx5H+0FIGO4yzO5BJelPSFNg646BpiZsKGPy9PhYhA2UKPvKwbYhdEub3pO4pu\n"
	"aSn9WE6hFrtphmzrs0+DAoIBAQDJmfE5qhyZdUlhG4a6gCzirXlYRG0LESf5pqJT\n"
	"IT7nfCV25j7ir3hXqVA3M4zXNDP0jtDUFUlmvs2Iwte4cvybmbnlCYYCaMvienq2\n"
	"soT9S+wRWT1ituC+xg9w9JAdkrdm55A/r+ioxeAID1OKdlmOtGxyb9vusNvLM/xq\n"
	"yjciOvx/hYzRTnVme2qVuCfxo3WgFneLmT3KgZqeKI4bklP5ZCiqmtWrVE5JV7FA\n"
	"5yeuvqt5hpKwnYLCyWpyrX6ZiWW4NoZQEgT7nvyAxlJXsxibhXK0VLIJbFyFOyRF\n"
	"XzHJblcyFKt2FEyqKY8Uo9vhFpm4YSU2/h4/BRpEbxZ60pPLAoIBAQC2sDpoWubg\n"
	"FYJ76iZ0rLce+UnRw7fiySz73Pcirky7ohduawM83VuG6MlxYTgTrvNFKQxRt/kg\n"
	"b9SZmqVj4TCdPG+rlbfh31nCs5o7tIXVwpXJYF6Zw+3XFcVQfs6yOKGED7kvcxlv\n"
	"c0IogRY7VwL+2uUPY8P2pSubRh46ojCk2rBPnUvAOiywuVp/8ce4vWD4OE9qMGxL\n"
	"tQCtWcNQc7IloopxD/6JxDvbi3AkLmhnZTwVQ1pvsTLxSftBeDMtBihwyYkzKp2q\n"
	"LQ77z+ROQjxWNueGlJiyLiISy5OpfzftrEI7HbbRijFfIW1wpBLktjJc+V3TQpvw\n"
	"81DfPWz7HSeHAoIBABbkhkH4ETtT2DtQtuHiwDYVYNwnGQLStelhhLlP4ybCMDbq\n"
	"OmXfaxj5PwSls+6UHPo+ZXRP3n/uVsSa64gkdo7sy/E4PaF0aQKUye6JIxToVCw8\n"
	"J/5Xqfm/3+0BuIPDL1ReI0E4JoFTxvbjVqc4fT75Of9cuGrIZo0SoC04PT6D2Dxa\n"
	"2/zAnhA/H4FU4iRMXYUKSBTwF9YxFW+0Rz7WRPbi6sNExdKoxiMJ9DTciuMK/8nT\n"
	"AEFSAZFA8feHwAKLWaOrfWEGSs6P5ThyTNNsoPS4GKhlnbn4NiFi7+F4x9yJzRkA\n"
	"w9+qunHwOjEr0kIjIN2RGnq+LI0XdT4kJzdXRjUCggEAUs9hOmpyGwNFCXxjACJG\n"
	"Q6EGiDIqiX9dh7FqyOqvV6Iq8t9JMW65jVa58U37SFjWZvQrZGN7ZuuqOBJ0g+jQ\n"
	"y4VYrTOJjbZbjrkw4X176SByGz02xIaeqg9xSIKimQC4ng8uh0aqMe3SAGA7Ppy7\n"
	"e+CnUimL66KFOLY4/6UDXcbPgtcvPixgk58BWdu0B5a4fOuxe9YFUO/0JZ/5u98l\n"
	"0o9yJ7vzSmmMJIF5TL1IkA3AhXbpaJWvHNbHMK8Wq4MOE8oXCf14SGpyT0y2FY9K\n"
	"oF305vk2mhX1VgW3om5LYM3jm75lX2g/5vpVDGkjM08vVxumHxwjab4xW3ARlWZq\n"
	"wwKCAQBbs6Gt0843wVJcNkrQiOTLL8HewV8N9LNf3miAO4/2VgSYyO+Y8xjE/xyt\n"
	"eQRE9ZKrqKb1L192w7vEgd7+a9vwoLlxeLbV7oUwG+gp+aVt5GNPW05mAgUynsEn\n"
	"zNrdC+Ng9GkXzygYfky2b/ErNicJfQtoubfCSvcHL2R9Fk6dY3B9FdjkJvfjv/SL\n"
	"se+aEl3AWJnAnpM3KtjY5qje+R/m6f5NkHvECiV/rCu0Bz8+gGpo4MlFKtsz27by\n"
	"3NyzfWoQ0h6Fcz+AbrxqdMw3JRLoIRhhlC7XMnaCP2hphOd9exTRJYBvRSXTSyDY\n"
	"q4gl5hM8H5F0iWcKq25nZYHamz7f\n"
	"-----END PRIVATE KEY-----\n";

/* B.1.4 */

static const char ir_b14_c[] =
	"00a2e8f114ea8d05d12dc843e3cc3b2edc8229ff2a028bda29ba9d55e3cd0291"
	"1902fef1f42a075bf05e8016e8567213d6f260fa49e360779dd81aeea3e04c2c"
	"b567e0d72b98bf754014561b7511e083d20e0bfb9cd23f8a0d3c88900c49d2fc"
	"d5843ff0765607b2026f28202a87aa94678aed22a0c20724541394cd8f44e373"
	"eba1d2bae98f516c1e2ba3d86852d064f856b1daf24795e767a2b90396e50743"
	"e3150664afab131fe40ea405dcf572dd1079af1d3f0392ccadcca0a12740dbb2"
	"13b925ca2a06b1bc1383e83a658c82ba2e7427342379084d5f66b544579f0766"
	"4cb26edd4f10fd913fdbc0de05ef887d4d1ec1ac95652397ea7fd4e4759fda8b";

static const char ir_b14_m[] =
	"6c6f72656d20697073756d";

/* B.1.6 */

static const char ir_b16_c[] =
	"48cceab10f39a4db32f60074feea473cbcdb7accf92e150417f76b44756b190e"
	"843e79ec12aa85083a21f5437e7bad0a60482e601198f9d86923239c8786ee72"
	"8285afd0937f7dde12717f28389843d7375912b07b991f4fdb0190fced8ba665"
	"314367e8c5f9d2981d0f5128feeb46cb50fc237e64438a86df198dd0209364ae"
	"3a842d77532b66b7ef263b83b1541ed671b120dfd660462e2107a4ee7b964e73"
	"4a7bd68d90dda61770658a3c242948532da32648687e0318286473f675b412d6"
	"468f013f14d760a358dfcad3cda2afeec5e268a37d250c37f722f468a70dfd92"
	"d7294c3c1ee1e7f8843b7d16f9f37ef35748c3ae93aa155cdcdfeb4e78567303";

static const char ir_b16_m[] =
	"22d850137b9eebe092b24f602dc5bb7918c16bd89ddbf20467b119d205f9c2e4"
	"bd7d2592cf1e532106e0f33557565923c73a02d4f09c0c22bea89148183e6031"
	"7f7028b3aa1f261f91c979393101d7e15f4067e63979b32751658ef769610fe9"
	"7cf9cef3278b3117d384051c3b1d82c251c2305418c8f6840530e631aad63e70"
	"e20e025bcd8efb54c92ec6d3b106a2f8e64eeff7d38495b0fc50c97138af4b1c"
	"0a67a1c4e27b077b8439332edfa8608dfeae653cd6a628ac550395f7e74390e4"
	"2c11682234870925eeaa1fa71b76cf1f2ee3bda69f6717033ff8b7c95c9799e7"
	"a3bea5e7e4a1c359772fb6b1c6e6c516661dfe30c3";

/* B.1.7 */

static const char ir_b17_c[] =
	"006f89db685c0a132700c6a17f88a37a6635d0ab89de4c45dc09736c891ca5bf"
	"3401ce34c6e5d51e94ed2f518857ddc12d9f9f9e68e01cdc30d86ae5dd83988c"
	"0c46a8e39daa1b328a23def551d67fa1964fb15242c83ddd7dd5b1aec720a391"
	"d0b86cb16cf4d3c466850c3df88a3ed85993900d1287a0c90c4b04d34ba29e59"
	"967661f3f10e0c998f64e14e777e8e81371eca5318b4e0b53414292130c82147"
	"7c51e2bff844836ab10dff293d82e4f40d345968ef268c92ed0bc238f31d50f4"
	"d3f759c23964923e135d15527556410fbd2c451d6a2aa852dc88b01139c6fdd8"
	"26736d8cd3780601b2977b09c080bd8c0fa471606ad59f053ad33d9eeb905f20";

static const char ir_b17_m[] =
	"2b5dd72df3cae37f1aef";

/* B.4.2 */

static const char ir_b42_c[] =
	"041f9bbe8372454ffadce0befc99ad4bd01cdbe016dffb5d0d84ee879e7ff64a"
	"25dced4d504f48a14b700a34a1c148e4b4028eecc9158cf5e3469daad1dddb21"
	"57b176dcf5716627aebd6072b965cfb67b42b149e88c0a8dc54703ec244637b3"
	"039b80c06d1d4968aeb838f3afcd3dc675fc90736cf0f0adaba182e27a19a729"
	"4cef500ed1fcca324c3ffa6ff02bd749a4a66f18da138d53ff549c4e6b3fff0b"
	"9ee2029ea8293fcd72a03e1dee4445629979be7fd65e5dbe5e6e77ec2aa87879"
	"a01c3e2502af0cc4bc04b637d17b175d92b4dcd70cfe83b6c1d4f91c61e911b8"
	"1cb6d60b99146f17937d127054521b132acb9ca95cbc6f80cd926d709bd7219d"
	"48ce7378e4416328a49be6c773dbdeb00ce23dc91f25f4807526cf4de8dd3fbb"
	"13ae1011eefe3a2aad9982f6c9268883b4633057d119c97c1178aae671859af0"
	"a488ab7b841c6583572d1261137a4292ba1c1caa4baf808be42075940d7e612e"
	"fa56ac9a7ffff3e7dbf10b6193ea14c4841fc5c43e031a69ddbd79118ccd92b1"
	"6a6ef66c7404c001ebc6402301a90248eb6562b7a2f549f52c058109dd5f2617"
	"877719ad13e81d19425a4cd5cf9e56e8538f5cb09b6f7ab646910b8c2ff6bf8c"
	"f17abdb4758bfba80df9f643950a6d4a8f60c6872700e5919d36503486667e43"
	"28a6b74b774eb483a9922706baa7f456644781cc0d78add9024e28da2d5e9d81";

static const char ir_b42_m[] =
	"6c6f72656d20697073756d";

/* B.4.7 */

static const char ir_b47_c[] =
	"00cd3bf408c742514e30ebfd001708e01f42de439a09d0d4b10044628becd8bc"
	"690c45b967a6a900d6259c7d7d20ad49810c270d2fe1b75ffaa84f50071f64d1"
	"696bce76e96dbcf2af054d77ded54c742aa38fadba52eebf7a5c8b6dbbf01f28"
	"b3ebf4e9b3ca453c92ca8b65771c23671b9da85c51e7a2987395de45b125353d"
	"430820b4c90b0ab9fc29e1c576a0ec35828c99c9880e208ecddf80bdaa9c3474"
	"561e4c5bf67bf5d144b173f4f28edd1064a9dd8cf5f40b7c35e7e4dbeb370cca"
	"bf06efb54e243645b902871a804c27904a620f31ef321af4d1589ca359de8895"
	"24dfb43ddad51ab50617ab79a50a2d20e2325a05c9963602f2a1d7feaffc80d2"
	"b8b88cbd3673531c399342f0bf1c04521d9a441c06593d9e95771129da942d83"
	"bb81c627a50c8baafc2a731d97f2e1f638217f9f7b18f2644578fde5073a54a8"
	"988fda357c64398a95965a7dd35ffdd7eb7495d4d1c9a950a0cd208a68371829"
	"420633cb25e9da9e22b215e50f6ec2714f94ce6abb9a94fbbf6cd18f2fd5bfb7"
	"8076034b88186957428fe0ea5e1dec7be31d753f155e2a8f7f4854a726612f43"
	"ef91f88124011cd32f6841a347dc0411d708db65492ec277b81a335b76a86230"
	"2acebf7db7cac724144c975ed4d91412eeec4cac3b2409696e3678cffcb7756b"
	"de795c55f72da44f325b71dd6ac4e3c1ef512ee8ff24ab316507c6ac60031569";

static const char ir_b47_m[] =
	"59ccd9c2cfe740e9287b";

static int unhex(const char *h, unsigned char *out, size_t cap)
{
	size_t n = strlen(h) / 2, i;
	unsigned int b;

	if (n > cap)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	return (int)n;
}

static EVP_PKEY *pem_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return pk;
}

/* Import @pk into the token: the private key and the public key. */
static CK_RV import(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, EVP_PKEY *pk,
		    CK_OBJECT_HANDLE *priv, CK_OBJECT_HANDLE *pub)
{
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_DECRYPT, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
	};
	CK_ATTRIBUTE ut[] = { { CKA_ENCRYPT, &yes, 1 } };

	return p_rsa_import(f, s, pk, pt, 2, ut, 1, priv, pub);
}

static size_t ossl_crypt(EVP_PKEY *pk, int enc, int pad,
			 const unsigned char *in, size_t n, unsigned char *out)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	size_t ol = 512;
	int ok = c && (enc ? EVP_PKEY_encrypt_init(c) :
			     EVP_PKEY_decrypt_init(c)) > 0 &&
		 EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0 &&
		 (enc ? EVP_PKEY_encrypt(c, out, &ol, in, n) :
			EVP_PKEY_decrypt(c, out, &ol, in, n)) > 0;

	EVP_PKEY_CTX_free(c);
	return ok ? ol : (size_t)-1;
}

static CK_MECHANISM mech = { CKM_RSA_PKCS, NULL, 0 };

static CK_RV decrypt(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		     CK_OBJECT_HANDLE priv, const unsigned char *c, size_t n,
		     unsigned char *m, CK_ULONG *m_len)
{
	CK_RV rv = f->C_DecryptInit(s, &mech, priv);

	if (rv != CKR_OK)
		return rv;
	return f->C_Decrypt(s, (CK_BYTE_PTR)c, n, m, m_len);
}

FIXTURE(enc) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(enc)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(enc)
{
	P_TEARDOWN(self);
}

/* Both directions against OpenSSL, every length class, 2048 and 4096. */
TEST_F_TIMEOUT(enc, openssl_both_ways, 600)
{
	static const char *const pems[] = { ir_k2048, ir_k4096 };
	static unsigned char msg[512], c[512], m[512];
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_HANDLE priv, pub;
	unsigned int ki, i;

	for (ki = 0; ki < 2; ki++) {
		EVP_PKEY *pk = pem_key(pems[ki]);
		size_t k, lens[6], cl, ml2;
		CK_ULONG ml, ol;

		ASSERT_NE(NULL, pk);
		k = (size_t)EVP_PKEY_get_size(pk);
		lens[0] = 0;
		lens[1] = 1;
		lens[2] = 32;
		lens[3] = 48;
		lens[4] = k - 12;
		lens[5] = k - 11;
		ASSERT_EQ(CKR_OK, import(f, self->s, pk, &priv, &pub));
		for (i = 0; i < 6; i++) {
			ASSERT_EQ(1, RAND_bytes(msg, (int)lens[i] + 1));
			/* OpenSSL encrypts, the token decrypts */
			cl = ossl_crypt(pk, 1, RSA_PKCS1_PADDING, msg, lens[i], c);
			ASSERT_EQ(k, cl);
			ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &mech, priv));
			ml = 0;
			ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, c, cl, NULL, &ml));
			EXPECT_EQ(k - 11, ml);	/* a bound */
			ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, c, cl, m, &ml));
			EXPECT_EQ(lens[i], ml);
			EXPECT_EQ(0, memcmp(m, msg, lens[i]));
			/* the token encrypts, OpenSSL decrypts */
			ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &mech, pub));
			ol = 0;
			ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, msg, lens[i],
						       NULL, &ol));
			EXPECT_EQ(k, ol);
			ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, msg, lens[i],
						       c, &ol));
			ASSERT_EQ(k, ol);
			ml2 = ossl_crypt(pk, 0, RSA_PKCS1_PADDING, c, ol, m);
			EXPECT_EQ(lens[i], ml2);
			EXPECT_EQ(0, memcmp(m, msg, lens[i]));
			/* the padding is random: another ciphertext */
			ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &mech, pub));
			ol = sizeof(m);
			ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, msg, lens[i],
						       m, &ol));
			EXPECT_NE(0, memcmp(m, c, k));
		}
		EVP_PKEY_free(pk);
	}
}

/* The draft's vectors through C_Decrypt: valid and implicitly rejected. */
TEST_F_TIMEOUT(enc, draft_vectors, 300)
{
	static const struct {
		int key;
		const char *c, *m;
	} v[] = {
		{ 0, ir_b14_c, ir_b14_m }, { 0, ir_b16_c, ir_b16_m },
		{ 0, ir_b17_c, ir_b17_m }, { 1, ir_b42_c, ir_b42_m },
		{ 1, ir_b47_c, ir_b47_m },
	};
	static unsigned char c[512], want[512], m[512];
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_HANDLE priv[2], pub[2];
	EVP_PKEY *pk[2];
	unsigned int i;

	pk[0] = pem_key(ir_k2048);
	pk[1] = pem_key(ir_k4096);
	ASSERT_NE(NULL, pk[0]);
	ASSERT_NE(NULL, pk[1]);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(CKR_OK, import(f, self->s, pk[i], &priv[i], &pub[i]));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int cl = unhex(v[i].c, c, sizeof(c));
		int wl = unhex(v[i].m, want, sizeof(want));
		CK_ULONG ml = sizeof(m);

		ASSERT_LT(0, cl);
		ASSERT_LT(0, wl);
		ASSERT_EQ(CKR_OK, decrypt(f, self->s, priv[v[i].key], c, cl,
					  m, &ml));
		EXPECT_EQ((CK_ULONG)wl, ml);
		EXPECT_EQ(0, memcmp(m, want, wl));
	}
	EVP_PKEY_free(pk[0]);
	EVP_PKEY_free(pk[1]);
}

/*
 * Bad paddings (made with OpenSSL's raw RSA: a block of type 1, no
 * separator, a short PS, a wrong first byte) decrypt to a message and
 * CKR_OK, the same one twice, a different one for each ciphertext.
 */
TEST_F_TIMEOUT(enc, implicit_rejection, 300)
{
	static unsigned char em[256], c[4][256], m[4][256], again[256];
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_HANDLE priv, pub;
	CK_ULONG ml[4], al;
	EVP_PKEY *pk = pem_key(ir_k2048);
	unsigned int i, j;

	ASSERT_NE(NULL, pk);
	ASSERT_EQ(CKR_OK, import(f, self->s, pk, &priv, &pub));
	for (i = 0; i < 4; i++) {
		memset(em, 0x5a, sizeof(em));
		em[0] = 0;
		em[1] = 2;
		switch (i) {
		case 0:
			em[1] = 1;		/* block type 1 */
			em[200] = 0;
			break;
		case 1:
			break;			/* no separator */
		case 2:
			em[8] = 0;		/* PS of 6 bytes */
			break;
		case 3:
			em[0] = 1;		/* first byte not 0 */
			em[100] = 0;
			break;
		}
		ASSERT_EQ(256UL, ossl_crypt(pk, 1, RSA_NO_PADDING, em, 256,
					    c[i]));
		ml[i] = sizeof(m[i]);
		ASSERT_EQ(CKR_OK, decrypt(f, self->s, priv, c[i], 256, m[i],
					  &ml[i]));
		EXPECT_GE(245UL, ml[i]);
		al = sizeof(again);
		ASSERT_EQ(CKR_OK, decrypt(f, self->s, priv, c[i], 256, again,
					  &al));
		EXPECT_EQ(ml[i], al);
		EXPECT_EQ(0, memcmp(m[i], again, al));
		for (j = 0; j < i; j++)
			EXPECT_FALSE(ml[i] == ml[j] && !memcmp(m[i], m[j], ml[i]));
		TH_LOG("bad padding %u: a message of %lu bytes", i, ml[i]);
	}
	EVP_PKEY_free(pk);
}

/* The errors: only those that depend on public data. */
TEST_F_TIMEOUT(enc, lengths_and_range, 300)
{
	static unsigned char c[300], m[300], n[256];
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_HANDLE priv, pub;
	CK_ATTRIBUTE a = { CKA_MODULUS, n, sizeof(n) };
	EVP_PKEY *pk = pem_key(ir_k2048);
	CK_ULONG ml, ol;

	ASSERT_NE(NULL, pk);
	ASSERT_EQ(CKR_OK, import(f, self->s, pk, &priv, &pub));
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, pub, &a, 1));
	ASSERT_EQ(256UL, a.ulValueLen);
	ASSERT_EQ(256UL, ossl_crypt(pk, 1, RSA_PKCS1_PADDING, m, 16, c));
	/* ciphertext of k - 1 and k + 1 bytes, and none */
	ml = sizeof(m);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE,
		  decrypt(f, self->s, priv, c, 255, m, &ml));
	ml = sizeof(m);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE,
		  decrypt(f, self->s, priv, c, 257, m, &ml));
	ml = sizeof(m);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE,
		  decrypt(f, self->s, priv, c, 0, m, &ml));
	/* C = n and C = all ones: out of range (public) */
	ml = sizeof(m);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID,
		  decrypt(f, self->s, priv, n, 256, m, &ml));
	memset(c + 0, 0xff, 256);
	ml = sizeof(m);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID,
		  decrypt(f, self->s, priv, c, 256, m, &ml));
	/* a buffer below the bound k - 11 */
	ASSERT_EQ(256UL, ossl_crypt(pk, 1, RSA_PKCS1_PADDING, m, 16, c));
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &mech, priv));
	ml = 244;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_Decrypt(self->s, c, 256, m, &ml));
	EXPECT_EQ(245UL, ml);
	ml = 245;
	EXPECT_EQ(CKR_OK, f->C_Decrypt(self->s, c, 256, m, &ml));
	EXPECT_EQ(16UL, ml);
	/* single-part only */
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &mech, priv));
	ml = sizeof(m);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
		  f->C_DecryptUpdate(self->s, c, 256, m, &ml));
	/* messages above k - 11 bytes */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &mech, pub));
	ol = sizeof(c);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Encrypt(self->s, m, 246, c, &ol));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &mech, pub));
	ol = sizeof(c);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Encrypt(self->s, m, 257, c, &ol));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &mech, pub));
	ol = sizeof(c);
	EXPECT_EQ(CKR_OK, f->C_Encrypt(self->s, m, 245, c, &ol));
	EXPECT_EQ(256UL, ol);
	/* CKM_SHA256_RSA_PKCS does not encrypt */
	mech.mechanism = CKM_SHA256_RSA_PKCS;
	EXPECT_EQ(CKR_MECHANISM_INVALID, f->C_EncryptInit(self->s, &mech, pub));
	mech.mechanism = CKM_RSA_PKCS;
	EVP_PKEY_free(pk);
}

TEST_HARNESS_MAIN
